package io.courier.bench.workload;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * What one run counts and records. Every message carries its intended send time in its first 8 bytes; only
 * messages intended at or after {@link #measureStart} count, so the warm-up leaves no trace. Thread-safe.
 */
final class Measurements {
    final long measureStart;
    final LatencyRecorder publishLatency = new LatencyRecorder();
    final LatencyRecorder endToEndLatency = new LatencyRecorder();
    final AtomicLong published = new AtomicLong();
    final AtomicLong consumed = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private final LongAccumulator lastAck = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final LongAccumulator lastConsumed = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final List<RunResult.Sample> timeline = new ArrayList<>();
    private long cpuAtStart = -1;

    Measurements(long measureStart) {
        this.measureStart = measureStart;
    }

    /** Writes the intended send time and the sequence number into a value. */
    static void stamp(byte[] value, long intendedNanos, long sequence) {
        ByteBuffer b = ByteBuffer.wrap(value);
        b.putLong(0, intendedNanos);
        b.putLong(8, sequence);
    }

    void acked(long intendedNanos, Exception error) {
        if (error != null) {
            errors.incrementAndGet();
            return;
        }
        if (intendedNanos >= measureStart) {
            long now = System.nanoTime();
            publishLatency.recordSince(intendedNanos, now);
            published.incrementAndGet();
            lastAck.accumulate(now);
        }
    }

    void consumed(byte[] value) {
        long intended = ByteBuffer.wrap(value).getLong(0);
        if (intended >= measureStart) {
            long now = System.nanoTime();
            endToEndLatency.recordSince(intended, now);
            consumed.incrementAndGet();
            lastConsumed.accumulate(now);
        }
    }

    synchronized void markCpuStart() {
        cpuAtStart = processCpuNanos();
    }

    synchronized void sample(double second, double publishedPerSec, double consumedPerSec) {
        timeline.add(new RunResult.Sample(second, publishedPerSec, consumedPerSec));
    }

    synchronized List<RunResult.Sample> timeline() {
        return List.copyOf(timeline);
    }

    /** @return percent of one core this JVM used since {@link #markCpuStart()} */
    synchronized double cpuPercent(long endNanos) {
        long wall = endNanos - measureStart;
        return cpuAtStart < 0 || wall <= 0 ? 0 : 100.0 * (processCpuNanos() - cpuAtStart) / wall;
    }

    long lastAck() {
        return lastAck.get();
    }

    long lastConsumed() {
        return lastConsumed.get();
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
