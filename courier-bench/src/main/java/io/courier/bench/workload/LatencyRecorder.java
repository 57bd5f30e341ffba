package io.courier.bench.workload;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies in microseconds (3 significant digits, up to an hour) from any thread, read out as percentiles in
 * milliseconds. Thread-safe.
 */
final class LatencyRecorder {
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    private final Histogram micros = new Histogram(MAX_MICROS, 3);

    /** Records the time from {@code fromNanos} (the intended send time at a fixed rate) to {@code nowNanos}. */
    void recordSince(long fromNanos, long nowNanos) {
        long us = Math.max(0, Math.min((nowNanos - fromNanos) / 1_000, MAX_MICROS));
        synchronized (micros) {
            micros.recordValue(us);
        }
    }

    RunResult.Percentiles percentiles() {
        synchronized (micros) {
            if (micros.getTotalCount() == 0) {
                return RunResult.Percentiles.NONE;
            }
            return new RunResult.Percentiles(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                    ms(micros.getValueAtPercentile(95)), ms(micros.getValueAtPercentile(99)),
                    ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()));
        }
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
