package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.bench.es.EventSourcingBenchmark;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

    private static EventSourcingBenchmark.Result eventSourcingRun(long duplicateEvents, boolean rebuildMatchesLive) {
        return new EventSourcingBenchmark.Result(950, 50, 0, 900.0, 1_000, duplicateEvents, 20_000.0,
                rebuildMatchesLive, 12.5, 22.7);
    }

    @Test
    void theEventSourcingBenchmarkExitsWith1OnADuplicateOrARebuildUnlikeTheLiveState() {
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(0, true))).isZero();
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(1, true))).isEqualTo(1);
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(0, false))).isEqualTo(1);
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(3, false))).isEqualTo(1);
    }
}
