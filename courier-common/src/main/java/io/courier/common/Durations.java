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
    /** Hours, minutes, seconds, milliseconds: each at most once, in that order, at most nine digits each. */
    private static final Pattern WITH_UNITS = Pattern.compile(
            "(?:(\\d{1,9})\\s*h)?\\s*(?:(\\d{1,9})\\s*m(?!s))?\\s*(?:(\\d{1,9})\\s*s)?\\s*(?:(\\d{1,9})\\s*ms)?");

    private Durations() {}

    /**
     * @param what the setting being read, for the error message
     * @param text the text
     * @return the duration, zero or more
     * @throws IllegalArgumentException naming {@code what}, the text and the accepted forms if it is not one
     */
    public static Duration parse(String what, String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher units = WITH_UNITS.matcher(value);
        if (!value.isEmpty() && units.matches()) {
            return Duration.ofHours(part(units, 1)).plusMinutes(part(units, 2)).plusSeconds(part(units, 3))
                    .plusMillis(part(units, 4));
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

    private static long part(Matcher units, int group) {
        return units.group(group) == null ? 0 : Long.parseLong(units.group(group));
    }

    /**
     * Writes a duration for people, in the units {@link #parse} reads: {@code 15s}, {@code 500ms}, {@code 1m30s},
     * {@code 8760h}, {@code 0s}. Beyond what it reads: a part below a millisecond as {@code ns}, a negative duration
     * with a minus sign, and hours past nine digits.
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
            return duration.getSeconds() == Long.MIN_VALUE ? duration.toString() // may have no positive counterpart
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

    /**
     * @param duration a duration, zero or more
     * @return it in nanoseconds, or {@code Long.MAX_VALUE} for one too long to count so (about 292 years): as good
     *     as forever, where a timeout of {@code Duration.ofMillis(Long.MAX_VALUE)} is Kafka's idiom for no bound
     */
    public static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount != 0) {
            text.append(amount).append(unit);
        }
    }
}
