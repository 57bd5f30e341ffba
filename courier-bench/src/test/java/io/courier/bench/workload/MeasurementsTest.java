package io.courier.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** What a run counts, on a fake clock: which events, over which time, and when its numbers are incomplete. */
class MeasurementsTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong();
    /** The measured phase starts at 10 s. */
    private final Measurements m = new Measurements(10 * SECOND, now::get);

    @Test
    void throughputRunsFromTheFirstMeasuredEventToTheLastNotFromThePhasesStart() {
        now.set(12 * SECOND); // the warm-up's backlog took the phase's first two seconds
        m.acked(9 * SECOND, null); // a warm-up message: neither counted nor timed
        m.consumed(value(9 * SECOND));
        for (int i = 0; i <= 100; i++) { // 101 events, 10 ms apart: 100 a second
            now.set(12 * SECOND + i * SECOND / 100);
            m.acked(10 * SECOND + i, null);
            m.consumed(value(10 * SECOND + i));
        }

        assertThat(m.published.get()).isEqualTo(101);
        assertThat(m.publishedPerSecond()).isEqualTo(100.0);
        assertThat(m.consumedPerSecond()).as("not 101 / 3 s, timed from the phase's start").isEqualTo(100.0);
        assertThat(Measurements.perSecond(1, 0, SECOND)).as("one event is no rate").isZero();
        assertThat(new Measurements(0, now::get).publishedPerSecond()).isZero();
    }

    @Test
    void aRunWithFailedSendsOrMessagesNotConsumedSaysWhy() {
        now.set(11 * SECOND);
        m.acked(9 * SECOND, new RecordTooLargeException("warm-up")); // the warm-up's failures are not the run's
        assertThat(WorkloadRunner.problems(m, 0, null)).isEmpty();

        m.acked(10 * SECOND, null);
        m.acked(10 * SECOND, new RecordTooLargeException("too large"));
        m.consumed(value(10 * SECOND));
        m.producerFailures.add("bench-producer-1 stopped before its quota: java.lang.IllegalStateException: x");

        assertThat(WorkloadRunner.problems(m, 2, new IllegalStateException("not authorized"))).containsExactly(
                "bench-producer-1 stopped before its quota: java.lang.IllegalStateException: x",
                "a raw consumer stopped: java.lang.IllegalStateException: not authorized",
                "1 send(s) of the measured phase were not acknowledged",
                "1 of 2 acknowledged message(s) (over all groups) were not consumed within 2 minute(s) after the last "
                        + "send, so the end-to-end percentiles leave out the slowest");
    }

    private static byte[] value(long intendedNanos) {
        byte[] v = new byte[16];
        ByteBuffer.wrap(v).putLong(0, intendedNanos);
        return v;
    }
}
