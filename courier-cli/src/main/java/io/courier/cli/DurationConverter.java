package io.courier.cli;

import io.courier.common.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a positive duration from the command line, in the forms {@link Durations} accepts. */
class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        Duration duration = null;
        try {
            duration = Durations.parse("the value", value); // refuses negative durations itself
        } catch (IllegalArgumentException e) {
            // the message below names the accepted forms
        }
        if (duration == null || (duration.isZero() && !zeroAllowed())) {
            throw new TypeConversionException("'" + value + "' is not a " + (zeroAllowed() ? "" : "positive ")
                    + "duration; expected a number with a unit (500ms, 10s, 2m, 1h, 1m30s) or ISO-8601 (PT10S)");
        }
        return duration;
    }

    boolean zeroAllowed() {
        return false;
    }

    /** The same, where zero means "none" (an outage of 0s skips the outage runs). */
    static final class ZeroOrMore extends DurationConverter {
        @Override
        boolean zeroAllowed() {
            return true;
        }
    }
}
