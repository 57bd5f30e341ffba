package io.courier.requestreply.internal;

import io.courier.core.Courier;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether the reply topic and partition a request names exist. A reply sent to one that does not would wait in the
 * producer for its metadata, up to {@code max.block.ms}, and every request behind it on its partition with it (a
 * transactional sender fails its whole transaction then, again and again). Partition counts are remembered, and a
 * missing topic for 3 s; topics that cannot be checked (no permission to describe them, a slow cluster) are let
 * through for a minute, for the send to decide. Thread-safe.
 */
public final class ReplyTargets {
    private final Courier courier;
    private final Clock clock;
    /** Partition counts of the reply topics seen. */
    private final ConcurrentHashMap<String, Integer> partitions = new ConcurrentHashMap<>();
    /** Reply topics whose partitions could not be looked up, and when to try again. */
    private final ConcurrentHashMap<String, Long> uncheckableUntil = new ConcurrentHashMap<>();
    /** Reply topics found missing, and until when that answer stands: each request naming one costs no lookup. */
    private final ConcurrentHashMap<String, Long> missingUntil = new ConcurrentHashMap<>();

    public ReplyTargets(Courier courier) {
        this.courier = courier;
        this.clock = courier.config().clock();
    }

    /**
     * @return null if the target exists, or cannot be checked now; otherwise what is wrong, as "names reply topic
     *     'x', which does not exist, so there is nowhere to answer"
     * @throws InterruptedException if interrupted while it waits for a topic created a moment ago
     */
    public String problem(String topic, int partition) throws InterruptedException {
        Integer known = partitions.get(topic);
        if (known != null && partition < known || clock.millis() < uncheckableUntil.getOrDefault(topic, 0L)) {
            return null;
        }
        if (clock.millis() < missingUntil.getOrDefault(topic, 0L)) {
            return missing(topic);
        }
        int count = -1;
        for (int attempt = 1; count < 0; attempt++) {
            try {
                count = courier.admin().describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS)
                        .get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    uncheckable(topic); // authorization, for one: let the send decide
                    return null;
                }
                if (attempt == 2) {
                    missingUntil.put(topic, clock.millis() + 3_000);
                    return missing(topic);
                }
                Thread.sleep(500); // a topic created a moment ago may not have reached every broker's metadata yet
            } catch (TimeoutException e) {
                uncheckable(topic);
                return null;
            }
        }
        partitions.put(topic, count);
        return partition < count ? null : "names partition " + partition + " of reply topic '" + topic + "', which has "
                + count + " partition(s), so there is nowhere to answer";
    }

    private static String missing(String topic) {
        return "names reply topic '" + topic + "', which does not exist, so there is nowhere to answer";
    }

    /** Remembers for a minute that {@code topic} cannot be checked, so that each request does not wait to learn it. */
    private void uncheckable(String topic) {
        uncheckableUntil.put(topic, clock.millis() + 60_000);
    }
}
