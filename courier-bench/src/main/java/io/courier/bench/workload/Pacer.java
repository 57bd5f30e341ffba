package io.courier.bench.workload;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Spaces sends at a fixed rate and tells each send its intended time. A send that finds itself late is not
 * delayed further and keeps its intended time, so a stall shows in the latency of every message it held up
 * (no coordinated omission). At rate 0 there is no pacing and the intended time is the actual send time.
 * Not thread-safe: one per producer thread.
 */
final class Pacer {
    private final LongSupplier nanoTime;
    private final LongConsumer sleepNanos;
    private final long intervalNanos;
    private long start = Long.MIN_VALUE;
    private long sent;

    /**
     * @param ratePerSecond messages per second, 0 for unlimited
     * @param nanoTime      the clock
     * @param sleepNanos    how to wait
     */
    Pacer(double ratePerSecond, LongSupplier nanoTime, LongConsumer sleepNanos) {
        this.nanoTime = nanoTime;
        this.sleepNanos = sleepNanos;
        this.intervalNanos = ratePerSecond <= 0 ? 0 : Math.max(1, Math.round(1e9 / ratePerSecond));
    }

    /** Waits until the next message is due. @return its intended send time */
    long next() {
        long now = nanoTime.getAsLong();
        if (intervalNanos == 0) {
            return now;
        }
        if (start == Long.MIN_VALUE) {
            start = now;
        }
        long intended = start + sent++ * intervalNanos;
        if (intended > now) {
            sleepNanos.accept(intended - now);
        }
        return intended;
    }
}
