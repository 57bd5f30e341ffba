package io.courier.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration from the command line: a positive whole number with a unit ({@code 500ms}, {@code 10s},
 * {@code 2m}, {@code 1h}), or ISO-8601 ({@code PT10S}). A bare number is refused: "10" could mean seconds or
 * milliseconds, and guessing wrong by a factor of 1000 is worse than asking.
 */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        Duration duration = parse(value.trim().toLowerCase(Locale.ROOT));
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new TypeConversionException("'" + value + "' is not a positive duration; expected a number with a "
                    + "unit (500ms, 10s, 2m, 1h) or ISO-8601 (PT10S)");
        }
        return duration;
    }

    private static Duration parse(String value) {
        Matcher m = WITH_UNIT.matcher(value);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            return Duration.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
