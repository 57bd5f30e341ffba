package io.courier.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsUnitsAndIso8601AlikeWhereverTheyAreTyped() {
        assertThat(Durations.parse("warmup", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("warmup", " 30 s ")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("warmup", "PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("warmup", "0s")).isZero();
    }

    @Test
    void refusesBareNumbersNegativeDurationsAndNonsenseNamingTheSetting() {
        for (String bad : new String[] {"10", "-1s", "PT-5S", "5d", "", null}) {
            assertThat(assertThrows(IllegalArgumentException.class, () -> Durations.parse("warmup", bad)))
                    .hasMessage("warmup must be a duration such as 500ms, 30s, 5m, 1h or PT10S, but was '" + bad + "'");
        }
    }
}
