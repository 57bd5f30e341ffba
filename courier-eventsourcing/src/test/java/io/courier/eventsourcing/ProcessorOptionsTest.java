package io.courier.eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The processor's options, validated when built, without a broker. */
class ProcessorOptionsTest {
    @Test
    void theReplicationFactorIsUnsetUnlessSetAndMustBeFrom1To32767() {
        assertThat(ProcessorOptions.builder("p").build().replicationFactor()).isEmpty();
        assertThat(ProcessorOptions.builder("p").replicationFactor(3).build().replicationFactor()).hasValue(3);
        assertThat(ProcessorOptions.builder("p").replicationFactor(32767).build().replicationFactor())
                .hasValue(32767);

        for (int invalid : new int[] {0, -1, 32768}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProcessorOptions.builder("p").replicationFactor(invalid).build());
            assertThat(e).hasMessage("replicationFactor must be from 1 to 32767, but was " + invalid);
        }
    }

    @Test
    void theCommitIntervalIs100MillisecondsUnlessSet() {
        assertThat(ProcessorOptions.builder("p").build().commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(ProcessorOptions.builder("p").commitInterval(Duration.ofSeconds(1)).build().commitInterval())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theCanonicalConstructorRefusesWhatTheBuilderRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("not an id", 1,
                Duration.ofMillis(100), Optional.empty(), OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("p", 0, Duration.ofMillis(100),
                Optional.empty(), OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("p", 1, Duration.ZERO,
                Optional.empty(), OptionalInt.empty()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProcessorOptions("p", 1,
                Duration.ofMillis(100), Optional.empty(), OptionalInt.of(0)));
        assertThat(e).hasMessage("replicationFactor must be from 1 to 32767, but was 0");
    }
}
