package org.diffusej.bridge;

import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Progress;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs jobs one at a time on one worker thread, with a bounded waiting line: beyond {@code capacity} waiting jobs
 * {@link #submit} answers 429. The engine lock is also taken by model switches, so a switch never overlaps a run.
 */
final class JobQueue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobQueue.class.getName());
    private static final int RETAINED_JOBS = 64;

    private final Supplier<DiffusionEngine> engine;
    private final Function<Result, List<String>> encoder;
    private final int capacity;
    private final BlockingQueue<Job> waiting;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final ReentrantLock engineLock = new ReentrantLock();
    private final Thread worker;
    private volatile Job current;
    private volatile boolean closed;
    private final java.util.function.UnaryOperator<String> redact;
    private int active; // running + waiting, guarded by this

    /**
     * @param engine   the engine to run each job on (looked up per job, so model switches take effect)
     * @param capacity how many jobs may wait while one runs
     * @param encoder  turns a result into base64 PNGs for the final event
     * @param redact   takes the server's folders out of a refused request's message before a client sees it
     */
    JobQueue(Supplier<DiffusionEngine> engine, int capacity, Function<Result, List<String>> encoder,
             java.util.function.UnaryOperator<String> redact) {
        if (capacity < 0) throw new IllegalArgumentException("queue capacity must be >= 0");
        this.engine = engine;
        this.redact = redact;
        this.encoder = encoder;
        this.capacity = capacity;
        this.waiting = new ArrayBlockingQueue<>(capacity + 1);
        this.worker = new Thread(this::work, "diffusej-bridge-worker");
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues a job, or refuses with 429 when {@code capacity} jobs already wait. */
    synchronized Job submit(String kind, Request request) throws ApiException {
        return submit(kind, request, Job.Setup.NONE);
    }

    /** Queues a job whose {@code setup} runs on the worker right before it (and is closed after it). */
    synchronized Job submit(String kind, Request request, Job.Setup setup) throws ApiException {
        if (closed) throw new ApiException(503, "ServiceUnavailable", "The server is shutting down.");
        Job job = new Job(kind, request, setup);
        if (active > capacity || waiting.remainingCapacity() == 0)
            throw new ApiException(429, "TooManyRequests", "The queue is full (" + capacity
                    + " job(s) waiting behind the running one); try again when the current job finishes.");
        // The queued event goes first: the worker may pick the job up the moment it is offered.
        job.add(JobEvent.Type.QUEUED, 0, 0, request.steps(), -1, "position " + (waiting.size() + 1), null, null, null);
        if (!waiting.offer(job)) throw new IllegalStateException("queue full despite the capacity check");
        active++;
        jobs.put(job.id(), job);
        trimRetained();
        return job;
    }

    synchronized Job find(String id) { return jobs.get(id); }

    /** The running job, or null. */
    Job current() { return current; }

    /** Jobs waiting behind the running one. */
    int waitingCount() { return waiting.size(); }

    /** Stops the running job within a step, keeping its images as reached (A1111 "interrupt"); true if one ran. */
    boolean interruptCurrent() {
        Job j = current;
        if (j == null) return false;
        j.interrupt();
        return true;
    }

    /** Ends the running job's current batch within a step (A1111 "skip"); true if one was running. */
    boolean skipCurrent() {
        Job j = current;
        if (j == null) return false;
        j.skip();
        return true;
    }

    /** Cancels a job: a waiting one is removed and reported interrupted at once, a running one stops within a step. */
    void cancel(Job job) {
        job.cancel();
        if (waiting.remove(job)) {
            released();
            interrupted(job, "Cancelled before it started.");
        }
    }

    private synchronized void released() { active--; }

    /** Runs {@code action} while no generation runs (waits for the current one). */
    <T> T whileIdle(Callable<T> action) throws Exception {
        engineLock.lock();
        try {
            return action.call();
        } finally {
            engineLock.unlock();
        }
    }

    private void work() {
        while (!closed) {
            Job job;
            try {
                job = waiting.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job.cancelRequested()) {
                if (!job.isDone()) interrupted(job, "Cancelled before it started.");
                released();
                continue;
            }
            current = job;
            engineLock.lock();
            try {
                run(job);
            } catch (RuntimeException | Error e) { // NOPMD: the worker must survive any failure of one job
                boolean refused = e instanceof IllegalArgumentException;
                LOG.log(refused ? Level.WARNING : Level.SEVERE, "job " + job.id() + (refused ? " refused by the engine"
                        : " failed"), e);
                error(job, ErrorReplies.of(e, redact));
            } finally {
                engineLock.unlock();
                current = null;
                released();
            }
        }
    }

    private void run(Job job) {
        Request r = job.request();
        job.add(JobEvent.Type.PROGRESS, 0, 0, r.steps(), -1, "started", null, null, null);
        Result result;
        AutoCloseable undo;
        try {
            undo = job.setup().prepare();
        } catch (ApiException e) {
            error(job, e);
            return;
        } catch (Exception e) { // NOPMD: a failed setup (model switch) fails this job only
            LOG.log(Level.WARNING, "job " + job.id() + ": setup failed", e);
            error(job, new ApiException(500, "ModelLoadFailed", "The model this job asked for could not be loaded "
                    + "(the server's log says why)."));
            return;
        }
        try {
            result = engine.get().generate(r, p -> onProgress(job, p), job.token());
        } catch (CancelledException e) {
            interrupted(job, "Interrupted.");
            return;
        } catch (DiffusionException e) {
            if (!(e instanceof InvalidRequestException) || ErrorReplies.readsAFile(e))
                LOG.log(Level.WARNING, "job " + job.id() + " failed", e);
            error(job, ErrorReplies.of(e, redact));
            return;
        } finally {
            try {
                undo.close();
            } catch (Exception e) { // NOPMD: restoring must not turn a finished job into a failure
                LOG.log(Level.WARNING, "job " + job.id() + ": restoring after the job failed", e);
            }
        }
        List<String> images = encoder.apply(result);
        job.finish(result);
        Progress p = job.lastProgress();
        int total = p == null ? r.steps() : p.total();
        idle(job);
        if (result.cancelled() || job.cancelRequested()) {
            double frac = p == null ? 0 : p.fraction();
            job.add(JobEvent.Type.INTERRUPTED, frac, p == null ? 0 : p.step(), total, 0,
                    result.message().isEmpty() ? "Interrupted." : result.message(), images, result.seeds(), result.infotexts());
        } else {
            job.add(JobEvent.Type.FINISHED, 1.0, total, total, 0, result.message(), images, result.seeds(), result.infotexts());
        }
    }

    private static void onProgress(Job job, Progress p) {
        Progress prev = job.lastProgress();
        // Progress that goes backwards (a new phase restarting its count) is reported at the previous level.
        if (prev != null && p.total() == prev.total() && p.step() < prev.step()) return;
        job.progress(p);
        String preview = p.preview() != null && job.previewDue() ? ImageCodec.pngBase64(p.preview(), null) : null;
        job.addProgress(p, preview);
    }

    /** The job is about to report its end: progress must already show it gone (clients poll right after). */
    private void idle(Job job) {
        if (current == job) current = null;
    }

    private void interrupted(Job job, String message) {
        idle(job);
        Progress p = job.lastProgress();
        job.add(JobEvent.Type.INTERRUPTED, p == null ? 0 : p.fraction(), p == null ? 0 : p.step(),
                p == null ? job.request().steps() : p.total(), 0, message, null, null, null);
    }

    private void error(Job job, ApiException e) {
        idle(job);
        job.fail(e);
        job.add(JobEvent.Type.ERROR, 0, 0, 0, -1, e.detail(), null, null, null);
    }

    private void trimRetained() {
        Iterator<Map.Entry<String, Job>> it = jobs.entrySet().iterator();
        while (jobs.size() > RETAINED_JOBS && it.hasNext()) {
            if (it.next().getValue().isDone()) it.remove();
            else break;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Job j; (j = waiting.poll()) != null; ) {
            j.cancel();
            interrupted(j, "The server stopped.");
        }
        Job running = current;
        if (running != null) running.cancel(); // stopping: no unfinished image is decoded
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
