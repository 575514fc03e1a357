package org.diffusej.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/** Asks a running generation to stop; the engine checks it between steps. Thread-safe. */
public final class CancellationToken {
    private final AtomicBoolean cancelled = new AtomicBoolean();

    public void cancel() { cancelled.set(true); }
    public boolean isCancelled() { return cancelled.get(); }

    /** Throws {@link CancelledException} if cancellation was requested. */
    public void check() throws CancelledException {
        if (cancelled.get()) throw new CancelledException();
    }
}
