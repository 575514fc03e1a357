package org.diffusej.bridge;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Progress;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One generation submitted to the bridge: its request, its cancellation token and the events it has produced so far.
 * Thread-safe; waiters are woken on every new event.
 */
public final class Job {
    private final String id = UUID.randomUUID().toString();
    private final String kind;
    private final Request request;
    private final CancellationToken token = new CancellationToken();
    private final Instant created = Instant.now();
    private final List<JobEvent> events = new ArrayList<>();
    private Result result;
    private ApiException failure;
    private Progress lastProgress;
    private final Setup setup;
    private final PreviewThrottle previews = new PreviewThrottle(PreviewThrottle.INTERVAL_NANOS, System::nanoTime);
    private int lastPreviewSeq = -1;

    Job(String kind, Request request) {
        this(kind, request, Setup.NONE);
    }

    Job(String kind, Request request, Setup setup) {
        this.kind = kind;
        this.request = request;
        this.setup = setup == null ? Setup.NONE : setup;
    }

    public String id() { return id; }
    /** "txt2img", "img2img" or "inpaint". */
    public String kind() { return kind; }
    public Request request() { return request; }
    public Instant created() { return created; }
    CancellationToken token() { return token; }

    /** Asks the job to stop: a queued job never starts, a running one stops within a step, unfinished images dropped. */
    public void cancel() { token.cancel(); }

    /** A1111's interrupt: stops within a step and keeps the images being denoised as they are at that step. */
    public void interrupt() { token.interrupt(); }

    /** A1111's skip: ends the current batch within a step (its images kept as reached); later batches still run. */
    public void skip() { token.skip(); }

    public boolean skipRequested() { return token.skipRequested(); }

    /** Something to do on the worker right before the job runs (a model switch); its result is closed afterwards. */
    @FunctionalInterface
    public interface Setup {
        Setup NONE = () -> () -> { };

        AutoCloseable prepare() throws Exception;
    }

    Setup setup() { return setup; }
    public boolean cancelRequested() { return token.isCancelled(); }

    synchronized JobEvent add(JobEvent.Type type, double progress, int step, int total, double eta, String message,
                              List<String> images, List<Long> seeds, List<String> infotexts) {
        return add(new JobEvent(events.size(), type, id, progress, step, total, eta, message, images, seeds, infotexts,
                null));
    }

    /** A progress event carrying {@code preview} (base64 PNG, may be null); the previous preview is dropped. */
    synchronized JobEvent addProgress(Progress p, String preview) {
        if (preview != null && lastPreviewSeq >= 0) events.set(lastPreviewSeq, events.get(lastPreviewSeq).withoutPreview());
        JobEvent e = add(new JobEvent(events.size(), JobEvent.Type.PROGRESS, id, p.fraction(), p.step(), p.total(),
                p.etaSeconds(), p.phase(), null, null, null, preview));
        if (preview != null) lastPreviewSeq = e.seq();
        return e;
    }

    /** True when a preview may go out now (the first at once, then at most once per second). */
    synchronized boolean previewDue() { return previews.due(); }

    private JobEvent add(JobEvent e) {
        events.add(e);
        notifyAll();
        return e;
    }

    synchronized void progress(Progress p) { lastProgress = p; }
    synchronized void finish(Result r) { result = r; }
    synchronized void fail(ApiException e) { failure = e; }

    public synchronized Progress lastProgress() { return lastProgress; }
    public synchronized Result result() { return result; }
    public synchronized ApiException failure() { return failure; }

    /** The latest event (there is always at least the {@code queued} event once submitted). */
    public synchronized JobEvent lastEvent() { return events.isEmpty() ? null : events.get(events.size() - 1); }

    /** The event with this sequence number (0 is always {@code queued}). */
    public synchronized JobEvent event(int seq) { return events.get(seq); }

    public synchronized boolean isDone() {
        JobEvent last = lastEvent();
        return last != null && last.type().isFinal();
    }

    public synchronized boolean isRunning() {
        JobEvent last = lastEvent();
        return last != null && last.type() == JobEvent.Type.PROGRESS;
    }

    /** Events with {@code seq > after}; waits up to {@code timeoutMillis} for one if there is none yet. */
    public synchronized List<JobEvent> eventsAfter(int after, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (events.size() <= after + 1 && !isDone()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) break;
            wait(left);
        }
        return List.copyOf(events.subList(Math.min(events.size(), after + 1), events.size()));
    }

    /** Blocks until the job reached a final event. */
    public synchronized JobEvent awaitDone() throws InterruptedException {
        while (!isDone()) wait();
        return lastEvent();
    }
}
