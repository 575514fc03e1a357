package org.diffusej.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks a running generation to stop; the engine checks it between steps. Thread-safe. Three ways to stop:
 * {@link #cancel()} drops the images still being denoised (the CLI's Ctrl-C, Fiji's cancel), {@link #interrupt()}
 * keeps them as they are at the step reached (AUTOMATIC1111's interrupt), {@link #skip()} ends only the current
 * batch that way and lets the next batches run (AUTOMATIC1111's skip).
 */
public final class CancellationToken {
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean keepUnfinished = new AtomicBoolean();
    private final AtomicBoolean skip = new AtomicBoolean();

    /** Stops the job; images not finished are dropped, finished ones kept. */
    public void cancel() { cancelled.set(true); }

    /** Stops the job; the images being denoised are decoded at the step reached and returned, marked unfinished. */
    public void interrupt() {
        keepUnfinished.set(true);
        cancelled.set(true);
    }

    /** Ends the current batch at the step reached (its images kept, marked unfinished); later batches still run. */
    public void skip() { skip.set(true); }

    public boolean isCancelled() { return cancelled.get(); }

    /** True after {@link #interrupt()}: the engine keeps the images being denoised. */
    public boolean keepsUnfinished() { return keepUnfinished.get(); }

    /** True while a {@link #skip()} waits to be honoured. */
    public boolean skipRequested() { return skip.get(); }

    /** Clears a pending skip (the engine calls this when a batch ends); true if one was pending. */
    public boolean clearSkip() { return skip.getAndSet(false); }

    /** Throws {@link CancelledException} if cancellation was requested. */
    public void check() throws CancelledException {
        if (cancelled.get()) throw new CancelledException();
    }
}
