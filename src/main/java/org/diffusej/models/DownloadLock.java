package org.diffusej.models;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.CancelledException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive right to write one cache file, across threads (a lock per path) and processes (an OS lock on
 * {@code <file>.lock}). Java's file locks are per process, so the in-process lock is taken first.
 */
final class DownloadLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final long POLL_MS = 100;

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private DownloadLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /**
     * Waits until no other thread or process is writing {@code target}; {@code onWait} runs once if it has to wait.
     */
    static DownloadLock acquire(Path target, CancellationToken token, Runnable onWait)
            throws IOException, CancelledException {
        Path key = target.toAbsolutePath().normalize();
        ReentrantLock lock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        boolean waited = false;
        try {
            while (!lock.tryLock(POLL_MS, TimeUnit.MILLISECONDS)) {
                token.check();
                if (!waited) { onWait.run(); waited = true; }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(key.getParent());
            ch = FileChannel.open(key.resolveSibling(key.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl;
            while ((fl = ch.tryLock()) == null) {
                token.check();
                if (!waited) { onWait.run(); waited = true; }
                Thread.sleep(POLL_MS);
            }
            return new DownloadLock(lock, ch, fl);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(ch);
            lock.unlock();
            throw new CancelledException();
        } catch (IOException | RuntimeException | CancelledException e) {
            closeQuietly(ch);
            lock.unlock();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            fileLock.release();
        } catch (IOException ignored) {
            // closing the channel releases it anyway
        }
        closeQuietly(channel);
        threadLock.unlock();
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
