package io.courier.common;

import java.time.Duration;
import java.util.Locale;

/**
 * Fail-fast argument checks whose messages name the offending value. A {@link Duration} among the values is written as
 * {@link Durations#format} writes it ({@code 15s}, not {@code PT15S}).
 *
 * <p>Thread-safe and stateless.
 */
public final class Preconditions {
    private Preconditions() {}

    /**
     * Checks an argument.
     *
     * @param condition the condition that must hold
     * @param template  a {@link String#format} template that describes the problem and the expectation
     * @param args      the values named in the template
     * @throws IllegalArgumentException if {@code condition} is false
     */
    public static void requireArgument(boolean condition, String template, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, readable(args)));
        }
    }

    /**
     * Checks that a state-dependent call is allowed now.
     *
     * @param condition the condition that must hold
     * @param template  a {@link String#format} template that describes the state and the expectation
     * @param args      the values named in the template
     * @throws IllegalStateException if {@code condition} is false
     */
    public static void requireState(boolean condition, String template, Object... args) {
        if (!condition) {
            throw new IllegalStateException(String.format(Locale.ROOT, template, readable(args)));
        }
    }

    /**
     * Checks that a value is within {@code [min, max]}.
     *
     * @param value the value to check
     * @param min   the smallest allowed value
     * @param max   the largest allowed value
     * @param name  what the value is, for the message (for instance {@code "brokers"})
     * @return {@code value}
     * @throws IllegalArgumentException if the value is out of range
     */
    public static int requireInRange(int value, int min, int max, String name) {
        requireArgument(value >= min && value <= max, "%s must be between %d and %d, but was %d", name, min, max, value);
        return value;
    }

    private static Object[] readable(Object[] args) {
        if (args == null) {
            return null;
        }
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof Duration d) {
                out[i] = Durations.format(d);
            }
        }
        return out;
    }
}
