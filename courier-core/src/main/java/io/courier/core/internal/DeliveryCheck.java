package io.courier.core.internal;

import io.courier.common.CourierException;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.SubscriberOptions;
import java.util.Locale;
import java.util.Map;

/**
 * The delivery-semantics check: settings that contradict the chosen guarantee fail at start-up, with a message
 * that names the setting, the guarantee, and what would go wrong.
 */
final class DeliveryCheck {
    private DeliveryCheck() {}

    static void publisher(String topic, DeliveryGuarantee g, Map<String, Object> c) {
        String acks = normalizedAcks(c.get("acks"));
        String where = "publisher of topic '" + topic + "'";
        switch (g) {
            case AT_MOST_ONCE -> {
                requireNoTransactionalId(g, where, c);
                require(!"true".equals(str(c.get("enable.idempotence"))), where,
                        "enable.idempotence=true contradicts AT_MOST_ONCE: idempotence needs acks=all and retries; "
                                + "use AT_LEAST_ONCE instead");
                require(intOf(c, "retries", 0) == 0, where, "retries=" + c.get("retries")
                        + " contradicts AT_MOST_ONCE: a retried send can write a message twice; use retries=0");
            }
            case AT_LEAST_ONCE, EXACTLY_ONCE -> {
                require("all".equals(acks), where, "acks=" + c.get("acks") + " contradicts " + g
                        + ": only acks=all waits for the in-sync replicas, so a leader failure can lose an "
                        + "acknowledged message" + ("0".equals(acks) ? ", and with acks=0 the producer never learns "
                        + "whether it arrived" : "") + "; use acks=all, or choose AT_MOST_ONCE");
                require(intOf(c, "retries", Integer.MAX_VALUE) > 0, where,
                        "retries=0 contradicts " + g + ": a message whose send fails once is lost");
                if (g == DeliveryGuarantee.AT_LEAST_ONCE) {
                    requireNoTransactionalId(g, where, c);
                    require(!"false".equals(str(c.get("enable.idempotence"))), where,
                            "enable.idempotence=false contradicts AT_LEAST_ONCE: a retried send can then be written "
                                    + "twice and land behind later messages of its key; keep the idempotent producer");
                }
                if (g == DeliveryGuarantee.EXACTLY_ONCE) {
                    require(!"false".equals(str(c.get("enable.idempotence"))), where,
                            "enable.idempotence=false contradicts EXACTLY_ONCE: transactions need the idempotent producer");
                    require(c.get("transactional.id") != null, where,
                            "EXACTLY_ONCE needs a transactional.id");
                }
            }
        }
    }

    static void subscriber(String topic, SubscriberOptions o, Map<String, Object> c) {
        DeliveryGuarantee g = o.guarantee();
        String where = "subscriber '" + o.groupId() + "' of topic '" + topic + "'";
        require(!"true".equals(str(c.get("enable.auto.commit"))), where, "enable.auto.commit=true contradicts " + g
                + ": " + switch (g) {
                    case EXACTLY_ONCE -> "the consumed offsets must be committed in the producer's transaction";
                    case AT_LEAST_ONCE -> "auto-commit can commit offsets of messages not yet handled, so a crash loses them";
                    case AT_MOST_ONCE -> "auto-commit commits after the poll, so a crash can hand a message over twice";
                });
        if (g == DeliveryGuarantee.EXACTLY_ONCE) {
            require("read_committed".equals(str(c.get("isolation.level"))), where,
                    "isolation.level=" + c.get("isolation.level") + " contradicts EXACTLY_ONCE: the subscriber "
                            + "would handle records of aborted transactions; use read_committed");
        }
        long maxPollInterval = longOf(c, "max.poll.interval.ms", 300_000L);
        long budget = o.retry().budget().toMillis();
        require(maxPollInterval > budget, where, "max.poll.interval.ms=" + maxPollInterval
                + " is not longer than the retry budget of " + budget + " ms (" + o.retry().maxAttempts()
                + " attempts): one message's retries would hold its partition longer than Kafka lets a consumer "
                + "go without progress; raise max.poll.interval.ms or shorten the retries");
    }

    private static void requireNoTransactionalId(DeliveryGuarantee g, String where, Map<String, Object> c) {
        require(c.get("transactional.id") == null, where, "transactional.id=" + c.get("transactional.id")
                + " contradicts " + g + ": a transactional producer sends only inside transactions; choose "
                + "EXACTLY_ONCE, or remove transactional.id");
    }

    private static void require(boolean ok, String where, String message) {
        if (!ok) {
            throw new CourierException("contradictory delivery settings for the " + where + ": " + message);
        }
    }

    private static String normalizedAcks(Object acks) {
        String a = str(acks).trim();
        return "-1".equals(a) ? "all" : a.toLowerCase(Locale.ROOT);
    }

    /** As Kafka reads a boolean or enum setting: trimmed, any case. */
    private static String str(Object o) {
        return o == null ? "" : o.toString().trim().toLowerCase(Locale.ROOT);
    }

    private static int intOf(Map<String, Object> c, String key, int fallback) {
        long n = longOf(c, key, fallback);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw notANumber(key, c.get(key), "a whole number within int's range");
        }
        return (int) n;
    }

    private static long longOf(Map<String, Object> c, String key, long fallback) {
        Object o = c.get(key);
        try {
            return o == null ? fallback : Long.parseLong(o.toString().trim());
        } catch (NumberFormatException e) {
            throw notANumber(key, o, "a whole number");
        }
    }

    private static IllegalArgumentException notANumber(String key, Object value, String expected) {
        return new IllegalArgumentException("Kafka client setting " + key + "='" + value + "' is not " + expected);
    }
}
