package io.courier.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people type them: a whole number with a unit ({@code 500ms}, {@code 10s}, {@code 2m},
 * {@code 1h}) or ISO-8601 ({@code PT10S}). A bare number is refused: "10" could mean seconds or milliseconds, and
 * guessing wrong by a factor of 1000 is worse than asking. Thread-safe and stateless.
 */
public final class Durations {
    private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    private Durations() {}

    /**
     * @param what the setting being read, for the error message
     * @param text the text
     * @return the duration, zero or more
     * @throws IllegalArgumentException naming {@code what}, the text and the accepted forms if it is not one
     */
    public static Duration parse(String what, String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
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
            Duration d = Duration.parse(value.toUpperCase(Locale.ROOT));
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(what + " must be a duration such as 500ms, 30s, 5m, 1h or PT10S, but was '"
                + text + "'");
    }
}
