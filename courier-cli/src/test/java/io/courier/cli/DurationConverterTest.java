package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
    private final DurationConverter converter = new DurationConverter();

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "10s, PT10S", "2m, PT2M", "1h, PT1H", "PT1M30S, PT1M30S", "1m30s, PT1M30S",
        "pt5s, PT5S", "10S, PT10S"})
    void readsAUnitOrIso8601(String text, String expected) {
        assertThat(converter.convert(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "0s", "-1s", "PT-5S", "PT0S", "5d", ""})
    void refusesABareNumberAnUnknownUnitAndNothingPositive(String text) {
        assertThatThrownBy(() -> converter.convert(text)).isInstanceOf(TypeConversionException.class)
                .hasMessage("'" + text + "' is not a positive duration; expected a number with a unit (500ms, 10s, 2m, 1h, "
                        + "1m30s) or ISO-8601 (PT10S)");
    }

    @ParameterizedTest
    @CsvSource({"0s, PT0S", "PT0S, PT0S", "2s, PT2S"})
    void theZeroOrMoreVariantTakesZeroForNone(String text, String expected) {
        assertThat(new DurationConverter.ZeroOrMore().convert(text)).isEqualTo(Duration.parse(expected));
        assertThatThrownBy(() -> new DurationConverter.ZeroOrMore().convert("-1s"))
                .hasMessageStartingWith("'-1s' is not a duration;");
    }
}
