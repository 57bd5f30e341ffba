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
    private final LongAccumulator firstAck = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private final LongAccumulator lastAck = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final LongAccumulator firstConsumed = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private final LongAccumulator lastConsumed = new LongAccumulator(Math::max, Long.MIN_VALUE);
    /** Why a producer thread stopped, for the run's problems; empty while none did. */
    final List<String> producerFailures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<RunResult.Sample> timeline = new ArrayList<>();
    private long cpuAtStart = -1;
    private final java.util.function.LongSupplier clock;

    Measurements(long measureStart) {
        this(measureStart, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} */
    Measurements(long measureStart, java.util.function.LongSupplier clock) {
        this.measureStart = measureStart;
        this.clock = clock;
    }

    /** Writes the intended send time and the sequence number into a value. */
    static void stamp(byte[] value, long intendedNanos, long sequence) {
        ByteBuffer b = ByteBuffer.wrap(value);
        b.putLong(0, intendedNanos);
        b.putLong(8, sequence);
    }

    void acked(long intendedNanos, Exception error) {
        if (intendedNanos < measureStart) {
            return; // the warm-up's, failed or not
        }
        if (error != null) {
            errors.incrementAndGet();
            return;
        }
        long now = clock.getAsLong();
        publishLatency.recordSince(intendedNanos, now);
        published.incrementAndGet();
        firstAck.accumulate(now);
        lastAck.accumulate(now);
    }

    void consumed(byte[] value) {
        long intended = ByteBuffer.wrap(value).getLong(0);
        if (intended >= measureStart) {
            long now = clock.getAsLong();
            endToEndLatency.recordSince(intended, now);
            consumed.incrementAndGet();
            firstConsumed.accumulate(now);
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

    /** @return acknowledgements per second, from the first of the measured phase to its last */
    double publishedPerSecond() {
        return perSecond(published.get(), firstAck.get(), lastAck.get());
    }

    /** @return messages handled per second, over all groups, from the first of the measured phase to its last */
    double consumedPerSecond() {
        return perSecond(consumed.get(), firstConsumed.get(), lastConsumed.get());
    }

    /**
     * Events per second between the first and the last of {@code count}: timed from the phase's start instead, a
     * client would be charged for the warm-up messages still in its producer's buffer or behind its consumers.
     *
     * @return 0 for fewer than two events
     */
    static double perSecond(long count, long firstNanos, long lastNanos) {
        return count < 2 || lastNanos <= firstNanos ? 0 : (count - 1) * 1e9 / (lastNanos - firstNanos);
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
