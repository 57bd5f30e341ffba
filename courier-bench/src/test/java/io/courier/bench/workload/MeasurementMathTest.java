package io.courier.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Percentiles against known distributions, and pacing without coordinated omission, on a fake clock. */
class MeasurementMathTest {

    @Test
    void percentilesOfAUniformDistributionAreWhereTheyMustBe() {
        LatencyRecorder r = new LatencyRecorder();
        for (int us = 1; us <= 100_000; us++) { // 1 µs .. 100 ms, uniform
            r.recordSince(0, TimeUnit.MICROSECONDS.toNanos(us));
        }
        RunResult.Percentiles p = r.percentiles();
        assertThat(p.count()).isEqualTo(100_000);
        assertThat(p.p50()).isCloseTo(50.0, offset(0.1));
        assertThat(p.p95()).isCloseTo(95.0, offset(0.1));
        assertThat(p.p99()).isCloseTo(99.0, offset(0.1));
        assertThat(p.p999()).isCloseTo(99.9, offset(0.1));
        assertThat(p.max()).isCloseTo(100.0, offset(0.1));
    }

    @Test
    void aSingleOutlierInAThousandShowsInTheMaxButNotInTheMedianOrP999() {
        LatencyRecorder r = new LatencyRecorder();
        for (int i = 0; i < 999; i++) {
            r.recordSince(0, TimeUnit.MILLISECONDS.toNanos(2));
        }
        r.recordSince(0, TimeUnit.SECONDS.toNanos(3));
        RunResult.Percentiles p = r.percentiles();
        assertThat(p.p50()).isCloseTo(2.0, offset(0.01));
        assertThat(p.p999()).isCloseTo(2.0, offset(0.01)); // 999 of 1000 values are 2 ms
        assertThat(p.max()).isCloseTo(3000.0, offset(3.0));
        assertThat(new LatencyRecorder().percentiles()).isEqualTo(RunResult.Percentiles.NONE);
    }

    /** A fake clock: sleeping advances it; a "stall" advances it without the pacer's consent. */
    private static final class FakeClock {
        long now;
    }

    @Test
    void aStallDelaysEveryMessageItHeldUpAndTheLatenciesSayWhenTheyWereDueNotWhenTheyWereSent() {
        FakeClock clock = new FakeClock();
        Pacer pacer = new Pacer(1000, () -> clock.now, d -> clock.now += d); // 1 ms apart
        LatencyRecorder latency = new LatencyRecorder();
        List<Long> intended = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long due = pacer.next();
            intended.add(due);
            if (i == 100) {
                clock.now += TimeUnit.SECONDS.toNanos(1); // the send blocks for a second (a full buffer, a GC)
            }
            clock.now += TimeUnit.MICROSECONDS.toNanos(10); // a send takes 10 µs
            latency.recordSince(due, clock.now);
        }
        // intended times march on at 1 ms regardless of the stall
        assertThat(intended.get(999) - intended.get(0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(999));
        RunResult.Percentiles p = latency.percentiles();
        // the stalled send and the ~1000 due during the stall each count their wait: a real tail, not one outlier
        assertThat(p.max()).isGreaterThanOrEqualTo(1000.0);
        assertThat(p.p50()).isGreaterThan(100.0);
        assertThat(latency.percentiles().count()).isEqualTo(1000);
    }

    @Test
    void withoutARateThereIsNoPacingAndTheIntendedTimeIsNow() {
        FakeClock clock = new FakeClock();
        Pacer pacer = new Pacer(0, () -> clock.now, d -> {
            throw new AssertionError("no sleeping at an unlimited rate");
        });
        clock.now = 42;
        assertThat(pacer.next()).isEqualTo(42);
        clock.now = 50;
        assertThat(pacer.next()).isEqualTo(50);
    }

    @Test
    void theValueCarriesItsIntendedSendTimeSoTheConsumerMeasuresFromIt() {
        Measurements m = new Measurements(1_000);
        byte[] value = new byte[32];
        Measurements.stamp(value, System.nanoTime() - TimeUnit.SECONDS.toNanos(2), 7); // due two seconds ago
        m.consumed(value); // a consumer that stalled for two seconds
        assertThat(m.endToEndLatency.percentiles().max()).isGreaterThanOrEqualTo(2000.0);
        byte[] warmup = new byte[32];
        Measurements.stamp(warmup, 999, 8); // intended before the measured phase
        m.consumed(warmup);
        assertThat(m.consumed.get()).isEqualTo(1);
    }
}
