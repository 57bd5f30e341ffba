package io.courier.core.internal;

/** Looks through an exception's cause chain: Kafka's clients wrap the error that says what went wrong. */
final class Causes {
    private Causes() {}

    /** @return the first of {@code e} and its causes that is a {@code type}, or null */
    static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
