package io.courier.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people type them, and writes them back the same way: whole numbers with units ({@code 500ms},
 * {@code 10s}, {@code 2m}, {@code 1h}, {@code 1m30s}) or ISO-8601 ({@code PT10S}). A bare number is refused: "10"
 * could mean seconds or milliseconds, and guessing wrong by a factor of 1000 is worse than asking. Thread-safe and
 * stateless.
 */
public final class Durations {
    private static final Pattern WITH_UNITS = Pattern.compile("(?:\\d{1,9}\\s*(?:ms|h|m|s)\\s*){1,4}");
    private static final Pattern PART = Pattern.compile("(\\d{1,9})\\s*(ms|h|m|s)");

    private Durations() {}

    /**
     * @param what the setting being read, for the error message
     * @param text the text
     * @return the duration, zero or more
     * @throws IllegalArgumentException naming {@code what}, the text and the accepted forms if it is not one
     */
    public static Duration parse(String what, String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (WITH_UNITS.matcher(value).matches()) {
            return sum(value);
        }
        try {
            Duration d = Duration.parse(value.toUpperCase(Locale.ROOT));
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(what + " must be a duration such as 500ms, 30s, 5m, 1h, 1m30s or PT10S, but "
                + "was '" + text + "'");
    }

    /** @return the sum of the parts: at most four of at most nine digits each, so it cannot overflow */
    private static Duration sum(String parts) {
        Duration sum = Duration.ZERO;
        for (Matcher m = PART.matcher(parts); m.find(); ) {
            long amount = Long.parseLong(m.group(1));
            sum = sum.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
        }
        return sum;
    }

    /**
     * Writes a duration for people, in the units {@link #parse} reads: {@code 15s}, {@code 500ms}, {@code 1m30s},
     * {@code 8760h}, {@code 0s}; a part below a millisecond as {@code ns}, a negative duration with a minus sign.
     *
     * @param duration the duration
     * @return its text
     * @throws NullPointerException if {@code duration} is null
     */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.isNegative()) {
            return duration.getSeconds() == Long.MIN_VALUE ? duration.toString() // no positive counterpart
                    : "-" + format(duration.negated());
        }
        StringBuilder text = new StringBuilder();
        append(text, duration.toHours(), "h");
        append(text, duration.toMinutesPart(), "m");
        append(text, duration.toSecondsPart(), "s");
        append(text, duration.toMillisPart(), "ms");
        append(text, duration.toNanosPart() % 1_000_000, "ns");
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount != 0) {
            text.append(amount).append(unit);
        }
    }
}
