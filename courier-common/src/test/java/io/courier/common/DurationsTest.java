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
        assertThat(Durations.parse("warmup", "1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("warmup", "1h 2m 3s 4ms")).isEqualTo(Duration.parse("PT1H2M3.004S"));
        assertThat(Durations.parse("warmup", "2h5ms")).isEqualTo(Duration.parse("PT2H0.005S"));
        assertThat(Durations.parse("warmup", "999999999h999999999m999999999s999999999ms")).isPositive();
    }

    @Test
    void writesDurationsInTheUnitsItReads() {
        assertThat(Durations.format(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Durations.format(Duration.ofMillis(5_505))).isEqualTo("5s505ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Durations.format(Duration.ofDays(365))).isEqualTo("8760h");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofNanos(1_500_000))).isEqualTo("1ms500000ns");
        assertThat(Durations.format(Duration.ofSeconds(-2))).isEqualTo("-2s");
        assertThat(Durations.format(Duration.ofSeconds(Long.MIN_VALUE))).isEqualTo(Duration.ofSeconds(Long.MIN_VALUE)
                .toString());
        for (Duration d : new Duration[] {Duration.ofMillis(1), Duration.ofMillis(3_723_004), Duration.ofHours(8760)}) {
            assertThat(Durations.parse("round trip", Durations.format(d))).isEqualTo(d);
        }
    }

    @Test
    void namesDurationsInPreconditionMessagesAsPeopleWriteThem() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> Preconditions.requireArgument(false,
                "timeout must be positive, but was %s", Duration.ofSeconds(90)))).hasMessage(
                        "timeout must be positive, but was 1m30s");
    }

    @Test
    void refusesBareNumbersNegativeDurationsAndNonsenseNamingTheSetting() {
        for (String bad : new String[] {"10", "-1s", "PT-5S", "5d", "", null, "1m30", "s", "1s1s", "30s1m", "1ms1s", "5 m s",
                "1s".repeat(100_000)}) {
            assertThat(assertThrows(IllegalArgumentException.class, () -> Durations.parse("warmup", bad)))
                    .hasMessage("warmup must be a duration such as 500ms, 30s, 5m, 1h, 1m30s or PT10S, but was '" + bad
                            + "'");
        }
    }
}
