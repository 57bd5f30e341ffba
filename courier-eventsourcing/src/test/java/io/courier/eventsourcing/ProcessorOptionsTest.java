package io.courier.eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The processor's options, validated when built, without a broker. */
class ProcessorOptionsTest {
    @Test
    void theReplicationFactorIs1UnlessSetAndMustBeFrom1To32767() {
        assertThat(ProcessorOptions.builder("p").build().replicationFactor()).isEqualTo(1);
        assertThat(ProcessorOptions.builder("p").replicationFactor(3).build().replicationFactor()).isEqualTo(3);
        assertThat(ProcessorOptions.builder("p").replicationFactor(32767).build().replicationFactor())
                .isEqualTo(32767);

        for (int invalid : new int[] {0, -1, 32768}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProcessorOptions.builder("p").replicationFactor(invalid).build());
            assertThat(e).hasMessage("replicationFactor must be from 1 to 32767, but was " + invalid);
        }
    }

    @Test
    void rejectsACommitIntervalAboveTheTransactionTimeoutKafkaStreamsGivesItsProducers() {
        assertThat(ProcessorOptions.builder("p").commitInterval(Duration.ofSeconds(10)).build().commitInterval())
                .isEqualTo(Duration.ofSeconds(10));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcessorOptions.builder("p").commitInterval(Duration.ofMillis(10_001)).build());

        assertThat(e).hasMessage("commitInterval must be at most PT10S, the transaction timeout Kafka Streams gives "
                + "its producers under exactly_once_v2 (transaction.timeout.ms=10000), but was PT10.001S");
    }

    @Test
    void theCanonicalConstructorRefusesWhatTheBuilderRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("not an id", 1,
                Duration.ofMillis(100), Optional.empty(), 1));
        assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("p", 0, Duration.ofMillis(100),
                Optional.empty(), 1));
        assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("p", 1, Duration.ofMinutes(1),
                Optional.empty(), 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("p", 1,
                Duration.ofMillis(100), Optional.empty(), 0));
        assertThat(e).hasMessage("replicationFactor must be from 1 to 32767, but was 0");
    }
}
