package io.courier.bench.workload;

import io.courier.core.DeliveryGuarantee;
import java.util.Locale;

/** What the producers wait for: Kafka's acks, or one of Courier's guarantees (which imply acks). */
public enum Delivery {
    /** acks=0, no retries: Courier's at-most-once. */
    ACKS_0("0", "at-most-once"),
    /** acks=1, no retries (Courier: at-most-once with acks=1). */
    ACKS_1("1", null),
    /** acks=all, idempotent, retries: Courier's at-least-once. */
    ACKS_ALL("all", "at-least-once"),
    /** Transactions: each producer commits a transaction per batch of sends; consumers read committed. */
    EXACTLY_ONCE(null, "exactly-once");

    private final String acks;
    private final String guarantee;

    Delivery(String acks, String guarantee) {
        this.acks = acks;
        this.guarantee = guarantee;
    }

    /** @return Kafka's {@code acks} value */
    public String acks() {
        return acks == null ? "all" : acks;
    }

    /** @return the Courier guarantee used for this delivery */
    public DeliveryGuarantee guarantee() {
        return switch (this) {
            case ACKS_0, ACKS_1 -> DeliveryGuarantee.AT_MOST_ONCE;
            case ACKS_ALL -> DeliveryGuarantee.AT_LEAST_ONCE;
            case EXACTLY_ONCE -> DeliveryGuarantee.EXACTLY_ONCE;
        };
    }

    /**
     * @param acks {@code 0}, {@code 1} or {@code all}
     * @return the delivery
     * @throws IllegalArgumentException naming the value
     */
    public static Delivery ofAcks(String acks) {
        for (Delivery d : values()) {
            if (d.acks != null && d.acks.equalsIgnoreCase(acks == null ? "" : acks.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("acks must be 0, 1 or all, but was '" + acks + "'");
    }

    /**
     * @param guarantee {@code at-most-once}, {@code at-least-once} or {@code exactly-once}
     * @return the delivery
     * @throws IllegalArgumentException naming the value
     */
    public static Delivery ofGuarantee(String guarantee) {
        String g = guarantee == null ? "" : guarantee.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Delivery d : values()) {
            if (g.equals(d.guarantee)) {
                return d;
            }
        }
        throw new IllegalArgumentException("guarantee must be at-most-once, at-least-once or exactly-once, but was '"
                + guarantee + "'");
    }

    @Override
    public String toString() {
        return this == EXACTLY_ONCE ? "exactly-once" : "acks=" + acks;
    }
}
