package org.diffusej.bridge;

import java.util.function.LongSupplier;

/** Lets live previews through at most once per interval, the first one at once (encoding a PNG costs a little). */
final class PreviewThrottle {
    /** One preview a second at most. */
    static final long INTERVAL_NANOS = 1_000_000_000L;

    private final long interval;
    private final LongSupplier clock;
    private long last;
    private boolean any;

    /**
     * @param intervalNanos least time between two previews
     * @param clock         nanosecond clock ({@code System::nanoTime})
     */
    PreviewThrottle(long intervalNanos, LongSupplier clock) {
        this.interval = intervalNanos;
        this.clock = clock;
    }

    /** True when a preview may go out now; counts it as sent. */
    boolean due() {
        long now = clock.getAsLong();
        if (any && now - last < interval) return false;
        any = true;
        last = now;
        return true;
    }
}
