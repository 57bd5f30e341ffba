package io.courier.bench.workload;

import java.util.Locale;

/**
 * How messages are keyed: no key (spread by the partitioner), a random key per message, or a fixed set of keys
 * used round-robin.
 *
 * @param kind  the distribution
 * @param count the number of keys for {@link Kind#FIXED}, else 0
 */
public record Keys(Kind kind, int count) {

    /** The key distributions. */
    public enum Kind { NONE, RANDOM, FIXED }

    public Keys {
        if (kind == Kind.FIXED && count < 1) {
            throw new IllegalArgumentException("a fixed key set needs at least 1 key, but was " + count);
        }
    }

    /**
     * @param text {@code none}, {@code random}, or a number of keys
     * @return the distribution
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Keys parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "none":
                return new Keys(Kind.NONE, 0);
            case "random":
                return new Keys(Kind.RANDOM, 0);
            default:
                try {
                    int n = Integer.parseInt(t);
                    if (n < 1) {
                        throw new IllegalArgumentException("keys must be none, random or a number of keys of at "
                                + "least 1, but was '" + text + "'");
                    }
                    return new Keys(Kind.FIXED, n);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("keys must be none, random or a number of keys, but was '"
                            + text + "'", e);
                }
        }
    }

    @Override
    public String toString() {
        return kind == Kind.FIXED ? Integer.toString(count) : kind.name().toLowerCase(Locale.ROOT);
    }
}
