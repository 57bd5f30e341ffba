package io.courier.bench.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.eventsourcing.EventOffset;
import io.courier.eventsourcing.Projection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LagWatchTest {

    @Test
    void anAcceptanceTheProjectionHasAlreadyReadCountsAsNoLag() {
        Histogram micros = new Histogram(60_000_000L, 3);
        LagWatch watch = LagWatch.start(new FakeProjection(() -> Map.of(0, 1_000_000L)), micros);
        // Watched while the watcher loops: some land after it read the clock, which once made a negative lag
        // that killed the watcher thread and left the histogram short.
        for (int i = 0; i < 200_000; i++) {
            watch.watch(List.of(new EventOffset("events", 0, i % 1_000)));
        }
        watch.finish(Duration.ofSeconds(30));
        assertThat(micros.getTotalCount()).isEqualTo(200_000);
    }

    @Test
    void aWatcherThatDiedIsReportedNotTakenForFinished() {
        LagWatch watch = LagWatch.start(new FakeProjection(() -> {
            throw new IllegalStateException("projection closed");
        }), new Histogram(60_000_000L, 3));
        watch.watch(List.of(new EventOffset("events", 0, 1)));
        assertThat(assertThrows(CourierException.class, () -> watch.finish(Duration.ofSeconds(30))))
                .hasMessageContaining("lag watcher failed").hasMessageContaining("projection closed");
    }

    /** Only positions() matters to the watcher. */
    private record FakeProjection(Supplier<Map<Integer, Long>> source) implements Projection<String> {
        @Override
        public Map<Integer, Long> positions() {
            return source.get();
        }

        @Override
        public Optional<String> get(String aggregateId) {
            return Optional.empty();
        }

        @Override
        public Optional<String> get(String aggregateId, long version, Duration wait) {
            return Optional.empty();
        }

        @Override
        public void awaitOffsets(Collection<EventOffset> offsets, Duration wait) {}

        @Override
        public long version(String aggregateId) {
            return 0;
        }

        @Override
        public Map<String, String> all() {
            return Map.of();
        }

        @Override
        public void reset() {}

        @Override
        public void close() {}
    }
}
