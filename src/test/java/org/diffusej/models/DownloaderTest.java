package org.diffusej.models;

import okhttp3.mockwebserver.MockWebServer;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The downloader against a fake Hub: resume, checksums, retries, refusals, disk space, timeouts, locking. */
class DownloaderTest {
    private static final String REPO = "acme/tiny-model";
    private static final String FILE = "model.safetensors";

    @TempDir Path dir;
    private MockWebServer server;
    private FakeHub hub;
    private byte[] content;
    private Path target;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        server = new MockWebServer();
        server.setDispatcher(hub);
        server.start();
        content = new byte[300_000];
        new Random(7).nextBytes(content);
        hub.put(REPO, FILE, content);
        target = dir.resolve("cache").resolve("tiny").resolve(FILE);
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private Downloader.Builder downloader() {
        return Downloader.builder().endpoint(server.url("/").toString()).maxAttempts(4)
                .backoff(Duration.ofMillis(10)).readTimeout(Duration.ofSeconds(5));
    }

    private Path download(Downloader d, CatalogFile f) throws DiffusionException {
        return d.download(REPO, "main", f, target, DownloadListener.NONE, new CancellationToken());
    }

    private static CatalogFile unknownHash() { return new CatalogFile(FILE, -1, null); }

    private Path part() { return target.resolveSibling(FILE + ".part"); }

    @Test
    void fullDownloadVerifiedAgainstHubHashWithProgress() throws Exception {
        List<DownloadProgress> events = new CopyOnWriteArrayList<>();
        hub.throttleBytesPerSecond = 1_000_000; // ~0.3 s, so several progress events
        Path p = downloader().build().download(REPO, "main", unknownHash(), target, events::add,
                new CancellationToken());
        assertEquals(target, p);
        assertArrayEquals(content, Files.readAllBytes(target));
        assertFalse(Files.exists(part()));
        assertEquals(FakeHub.sha(content), Files.readString(ModelCache.recordedHashFile(target)).trim());
        assertEquals("/" + REPO + "/resolve/main/" + FILE, hub.resolveRequests.get(0).getPath());
        DownloadProgress last = events.get(events.size() - 1);
        assertTrue(last.done());
        assertEquals(content.length, last.bytesDone());
        assertTrue(events.size() >= 3, "progress events: " + events.size());
        DownloadProgress mid = events.get(1);
        assertEquals(content.length, mid.bytesTotal());
        assertTrue(mid.bytesPerSecond() > 0 && mid.etaSeconds() >= 0, mid.toString());
        for (int i = 1; i < events.size(); i++) assertTrue(events.get(i).bytesDone() >= events.get(i - 1).bytesDone());
    }

    @Test
    void droppedConnectionResumesWithRange() throws Exception {
        hub.then(FakeHub.Behaviour.DROP_MID_BODY);
        download(downloader().build(), new CatalogFile(FILE, content.length, FakeHub.sha(content)));
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(2, hub.cdnRequests.size());
        assertNull(hub.cdnRequests.get(0).getHeader("Range"));
        String range = hub.cdnRequests.get(1).getHeader("Range");
        assertNotNull(range, "second request resumes");
        long from = Long.parseLong(range.replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(from > 0 && from < content.length, range);
    }

    @Test
    void serverIgnoringRangeRestartsCleanly() throws Exception {
        hub.then(FakeHub.Behaviour.DROP_MID_BODY, FakeHub.Behaviour.IGNORE_RANGE);
        download(downloader().build(), unknownHash());
        assertArrayEquals(content, Files.readAllBytes(target), "no duplicated prefix");
        assertNotNull(hub.cdnRequests.get(1).getHeader("Range"));
    }

    @Test
    void partLeftByEarlierRunIsResumed() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(part(), java.util.Arrays.copyOf(content, 1000));
        download(downloader().build(), unknownHash());
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals("bytes=1000-", hub.cdnRequests.get(0).getHeader("Range"));
    }

    @Test
    void checksumMismatchDeletesPartAndKeepsNoFile() {
        String wrong = FakeHub.sha(new byte[] {1, 2, 3});
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> download(downloader().build(), new CatalogFile(FILE, content.length, wrong)));
        assertTrue(e.getMessage().contains(wrong) && e.getMessage().contains(FakeHub.sha(content)), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(part()));
        assertEquals(1, hub.cdnRequests.size(), "a corrupt download is not retried blindly");
    }

    @Test
    void hubReportedHashIsCheckedWhenCatalogHasNone() {
        hub.linkedEtags.put(REPO + "/" + FILE, FakeHub.sha(new byte[] {9}));
        assertThrows(ChecksumMismatchException.class, () -> download(downloader().build(), unknownHash()));
        assertFalse(Files.exists(target));
    }

    @Test
    void notFoundIsNotRetried() {
        hub.resolveStatus = 404;
        ModelNotAvailableException e = assertThrows(ModelNotAvailableException.class,
                () -> download(downloader().build(), unknownHash()));
        assertTrue(e.getMessage().contains("404") && e.getMessage().contains("/" + REPO + "/resolve/main/" + FILE),
                e.getMessage());
        assertEquals(1, hub.resolveRequests.size());
    }

    @Test
    void unauthorizedWithoutTokenSaysToSetHfToken() {
        hub.resolveStatus = 401;
        ModelDownloadException e = assertThrows(ModelDownloadException.class,
                () -> download(downloader().build(), unknownHash()));
        assertTrue(e.getMessage().contains("HF_TOKEN") && e.getMessage().contains("settings/tokens"), e.getMessage());
        assertEquals(1, hub.resolveRequests.size());
        assertNull(hub.resolveRequests.get(0).getHeader("Authorization"));
    }

    @Test
    void unauthorizedWithTokenSaysTokenWasRejected() {
        hub.resolveStatus = 401;
        ModelDownloadException e = assertThrows(ModelDownloadException.class,
                () -> download(downloader().token("hf_secret").build(), unknownHash()));
        assertTrue(e.getMessage().contains("rejected the access token"), e.getMessage());
        assertEquals("Bearer hf_secret", hub.resolveRequests.get(0).getHeader("Authorization"));
        assertEquals(1, hub.resolveRequests.size());
    }

    @Test
    void forbiddenSaysToAcceptTheTerms() {
        hub.resolveStatus = 403;
        ModelDownloadException e = assertThrows(ModelDownloadException.class,
                () -> download(downloader().token("hf_x").build(), unknownHash()));
        assertTrue(e.getMessage().contains("accept its terms"), e.getMessage());
        assertEquals(1, hub.resolveRequests.size());
    }

    @Test
    void tokenGoesToTheHubButNotToTheCdn() throws Exception {
        download(downloader().token("hf_secret").build(), unknownHash()); // the fake CDN answers 400 to a token
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals("Bearer hf_secret", hub.resolveRequests.get(0).getHeader("Authorization"));
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() throws Exception {
        hub.then(FakeHub.Behaviour.ERROR_500, FakeHub.Behaviour.ERROR_503);
        download(downloader().build(), unknownHash());
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(3, hub.cdnRequests.size());
    }

    @Test
    void serverErrorsGiveUpAfterMaxAttempts() {
        hub.then(FakeHub.Behaviour.ERROR_500, FakeHub.Behaviour.ERROR_500, FakeHub.Behaviour.ERROR_500);
        ModelDownloadException e = assertThrows(ModelDownloadException.class,
                () -> download(downloader().maxAttempts(3).build(), unknownHash()));
        assertTrue(e.getMessage().contains("failed 3 times") && e.getMessage().contains("HTTP 500"), e.getMessage());
        assertEquals(3, hub.cdnRequests.size());
    }

    @Test
    void stalledServerTimesOutInsteadOfHanging() {
        hub.then(FakeHub.Behaviour.STALL, FakeHub.Behaviour.STALL);
        Downloader d = downloader().readTimeout(Duration.ofMillis(300)).maxAttempts(2).build();
        ModelDownloadException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ModelDownloadException.class, () -> download(d, unknownHash())));
        assertTrue(e.getMessage().contains("failed 2 times")
                && e.getMessage().contains("the server stopped sending data for 0.3 seconds"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), "no Java class names: " + e.getMessage());
        assertFalse(Files.exists(target));
        assertTrue(Files.exists(part()), "what arrived is kept for a later resume");
    }

    @Test
    void insufficientDiskFailsBeforeAnyRequestWhenSizeIsKnown() {
        Downloader d = downloader().freeSpaceProbe(p -> 1000).build();
        NotEnoughDiskSpaceException e = assertThrows(NotEnoughDiskSpaceException.class,
                () -> download(d, new CatalogFile(FILE, content.length, null)));
        assertTrue(e.getMessage().contains("DIFFUSEJ_HOME") && e.getMessage().contains(FILE), e.getMessage());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void insufficientDiskFailsBeforeWritingWhenHubReportsTheSize() {
        Downloader d = downloader().freeSpaceProbe(p -> 1000).build();
        assertThrows(NotEnoughDiskSpaceException.class, () -> download(d, unknownHash()));
        assertFalse(Files.exists(part()));
        assertFalse(Files.exists(target));
    }

    @Test
    void twoConcurrentDownloadsOfOneFileFetchItOnce() throws Exception {
        hub.throttleBytesPerSecond = 1_000_000;
        Downloader d = downloader().build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++)
                results.add(pool.submit(() -> {
                    go.await();
                    return download(d, unknownHash());
                }));
            go.countDown();
            for (Future<Path> f : results) assertEquals(target, f.get());
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(1, hub.cdnRequests.size(), "the second caller waits and uses the first one's file");
    }

    @Test
    void cancellingStopsTheDownloadAndKeepsThePart() {
        hub.throttleBytesPerSecond = 200_000;
        CancellationToken token = new CancellationToken();
        DownloadListener cancelAfterFirstBytes = p -> { if (p.bytesDone() > 0) token.cancel(); };
        assertThrows(CancelledException.class, () -> downloader().build()
                .download(REPO, "main", unknownHash(), target, cancelAfterFirstBytes, token));
        assertFalse(Files.exists(target));
        assertTrue(Files.exists(part()));
    }

    @Test
    void unreachableServerFailsFastWithOneSentence() throws IOException {
        MockWebServer closed = new MockWebServer();
        closed.start();
        String url = closed.url("/").toString();
        closed.shutdown(); // nothing listens there any more: connection refused
        Downloader d = Downloader.builder().endpoint(url).build();
        long t0 = System.nanoTime();
        ModelNotAvailableException e = assertThrows(ModelNotAvailableException.class, () -> download(d, unknownHash()));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 1.0, "took " + seconds + " s");
        String m = e.getMessage();
        assertTrue(m.contains(FILE) && m.contains(d.url(REPO, "main", FILE))
                && m.contains(target.getParent().toAbsolutePath().toString()), m);
        assertEquals(1, m.split("\\. ").length, "one sentence: " + m);
    }

    @Test
    void anotherProcessHoldingTheLockMakesUsWait() throws Exception {
        Files.createDirectories(target.getParent());
        Path lockFile = target.resolveSibling(FILE + ".lock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), lockFile.toString(), "1500").redirectErrorStream(true).start();
        try {
            assertEquals("locked", new String(holder.getInputStream().readNBytes(6)), "holder process started");
            List<DownloadProgress> events = new CopyOnWriteArrayList<>();
            long t0 = System.nanoTime();
            downloader().build().download(REPO, "main", unknownHash(), target, events::add, new CancellationToken());
            double waited = (System.nanoTime() - t0) / 1e9;
            assertTrue(waited > 0.5, "waited only " + waited + " s for the other process");
            assertEquals(0, events.get(0).bytesDone(), "a waiting event first");
            assertArrayEquals(content, Files.readAllBytes(target));
        } finally {
            holder.destroy();
        }
    }

    /** Holds the OS lock on a file for a while, as another DiffuseJ process downloading would. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(Path.of(args[0]),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock lock = ch.lock()) {
                System.out.print("locked");
                System.out.flush();
                Thread.sleep(Long.parseLong(args[1]));
            }
        }
    }
}
