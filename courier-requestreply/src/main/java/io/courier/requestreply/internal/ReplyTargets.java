package io.courier.requestreply.internal;

import io.courier.core.Courier;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether the reply topic and partition a request names exist, and this service may write to them. A reply sent
 * to one that does not would wait in the producer for its metadata, up to {@code max.block.ms}, and every request
 * behind it on its partition with it (a transactional sender fails its whole transaction then, again and again); a
 * topic whose name is illegal, or that this service may not write, fails a Kafka Streams sender for good, at every
 * restart. Partition counts are remembered for 30 s, and a missing or unwritable topic for 3 s; topics that cannot be
 * checked now (a slow cluster) are let through for a minute, for the send to decide. Thread-safe.
 */
public final class ReplyTargets {
    private final Courier courier;
    private final Clock clock;
    /** Partition counts of the reply topics seen, and until when they stand (a topic may be deleted or grow). */
    private final ConcurrentHashMap<String, Count> partitions = new ConcurrentHashMap<>();
    /** Reply topics whose partitions could not be looked up, and when to try again. */
    private final ConcurrentHashMap<String, Long> uncheckableUntil = new ConcurrentHashMap<>();
    /** Reply topics found missing or unwritable, why, and until when: each request naming one costs no lookup. */
    private final ConcurrentHashMap<String, Problem> problems = new ConcurrentHashMap<>();
    /** Kafka's rule for topic names: 1 to 249 of these characters, and not "." or "..". */
    private static final java.util.regex.Pattern LEGAL = java.util.regex.Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private record Problem(String what, long until) {}

    private record Count(int partitions, long until) {}

    public ReplyTargets(Courier courier) {
        this.courier = courier;
        this.clock = courier.config().clock();
    }

    /**
     * @return null if the target exists and may be written, or cannot be checked now; otherwise what is wrong, as
     *     "names reply topic 'x', which does not exist, so there is nowhere to answer"
     * @throws InterruptedException if interrupted while it waits for a topic created a moment ago
     */
    public String problem(String topic, int partition) throws InterruptedException {
        if (!LEGAL.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            return "names reply topic '" + topic + "', which is not a legal topic name (1 to 249 of a-z A-Z 0-9 . _ -),"
                    + " so there is nowhere to answer";
        }
        Count known = partitions.get(topic);
        if (known != null && partition < known.partitions() && clock.millis() < known.until()
                || clock.millis() < uncheckableUntil.getOrDefault(topic, 0L)) {
            return null;
        }
        Problem recent = problems.get(topic);
        if (recent != null && clock.millis() < recent.until()) {
            return recent.what();
        }
        int count = -1;
        for (int attempt = 1; count < 0; attempt++) {
            try {
                TopicDescription d = courier.admin().describeTopics(List.of(topic),
                        new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames()
                        .get(5, TimeUnit.SECONDS).get(topic);
                // Null: the cluster does not say. Empty: a describe it allowed says DESCRIBE at least, so a broker
                // that answers so (some Kafka-compatible ones) does not say either.
                Set<AclOperation> allowed = d.authorizedOperations();
                if (allowed != null && !allowed.isEmpty() && !allowed.contains(AclOperation.WRITE)
                        && !allowed.contains(AclOperation.ALL)) {
                    return remember(topic, "names reply topic '" + topic + "', which this service may not write "
                            + "(no WRITE permission), so it cannot answer");
                }
                count = d.partitions().size();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicAuthorizationException) { // WRITE would imply DESCRIBE
                    return remember(topic, "names reply topic '" + topic + "', which this service may not describe "
                            + "or write (" + e.getCause().getMessage() + "), so it cannot answer");
                }
                if (e.getCause() instanceof InvalidTopicException) {
                    return remember(topic, "names reply topic '" + topic + "', which the cluster refuses as a topic "
                            + "name (" + e.getCause().getMessage() + "), so there is nowhere to answer");
                }
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    uncheckable(topic); // the cluster is struggling: let the send decide
                    return null;
                }
                if (attempt == 2) {
                    return remember(topic, "names reply topic '" + topic + "', which does not exist, so there is "
                            + "nowhere to answer");
                }
                Thread.sleep(500); // a topic created a moment ago may not have reached every broker's metadata yet
            } catch (TimeoutException e) {
                uncheckable(topic);
                return null;
            }
        }
        partitions.put(topic, new Count(count, clock.millis() + 30_000));
        return partition < count ? null : "names partition " + partition + " of reply topic '" + topic + "', which has "
                + count + " partition(s), so there is nowhere to answer";
    }

    /** @return {@code what}, remembered for 3 s */
    private String remember(String topic, String what) {
        problems.put(topic, new Problem(what, clock.millis() + 3_000));
        return what;
    }

    /** Remembers for a minute that {@code topic} cannot be checked, so that each request does not wait to learn it. */
    private void uncheckable(String topic) {
        uncheckableUntil.put(topic, clock.millis() + 60_000);
    }
}
