package io.courier.core.internal;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates missing topics and reports drift of existing ones; never alters a topic. */
public final class Provisioner {
    private final Admin admin;
    private final Duration timeout;
    private final String servers;

    /**
     * @param admin   the admin client to use
     * @param timeout how long each wait may take
     * @param servers the cluster, for messages
     */
    public Provisioner(Admin admin, Duration timeout, String servers) {
        this.admin = admin;
        this.timeout = timeout;
        this.servers = servers;
    }

    void provision(Collection<Topic<?, ?>> topics) {
        Set<String> existing = Futures.await(admin.listTopics().names(), timeout, "list the topics at " + servers);
        List<Topic<?, ?>> missing = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        for (Topic<?, ?> t : topics) {
            if (existing.contains(t.name())) {
                drift.addAll(drift(t));
            } else {
                missing.add(t);
            }
        }
        requireNoDrift(drift);
        if (!missing.isEmpty()) {
            create(missing);
        }
    }

    private static void requireNoDrift(List<String> drift) {
        if (!drift.isEmpty()) {
            throw new CourierException("existing topics differ from their declarations (Courier does not change "
                    + "existing topics; align the declaration or alter the topic): " + String.join("; ", drift));
        }
    }

    /**
     * Creates the topics and returns once every partition has a leader. One that another service created meanwhile
     * is checked against its declaration like any existing topic.
     */
    private void create(List<Topic<?, ?>> topics) {
        Map<String, Topic<?, ?>> byName = new HashMap<>();
        List<NewTopic> requests = new ArrayList<>();
        for (Topic<?, ?> t : topics) {
            byName.put(t.name(), t);
            requests.add(new NewTopic(t.name(), t.partitions(), t.replicationFactor()).configs(t.configs()));
        }
        create(requests, byName);
    }

    /** @param declared the declarations to check a topic against if another service created it meanwhile */
    private void create(List<NewTopic> requests, Map<String, Topic<?, ?>> declared) {
        List<Topic<?, ?>> createdElsewhere = new ArrayList<>();
        // One future per topic: all() reports only one failure, which may be a harmless "exists" hiding a real one.
        for (Map.Entry<String, KafkaFuture<Void>> created : admin.createTopics(requests).values().entrySet()) {
            try {
                Futures.await(created.getValue(), timeout, "create topic '" + created.getKey() + "' at " + servers);
            } catch (CourierException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                if (declared.containsKey(created.getKey())) {
                    createdElsewhere.add(declared.get(created.getKey()));
                }
            }
        }
        awaitVisible(requests.stream().map(NewTopic::name).toList());
        List<String> drift = new ArrayList<>();
        createdElsewhere.forEach(t -> drift.addAll(drift(t)));
        requireNoDrift(drift);
    }

    /**
     * New topics reach every broker through the metadata log: waits until each is listed and each partition has a
     * leader that serves it. Publishing earlier makes the first produce request fail retriably, which can leave an
     * idempotent producer retrying an out-of-order sequence until its delivery timeout (KAFKA-14359).
     *
     * @param names topics just created
     * @throws CourierException naming the topics (or the last error) if they are not served within the timeout
     */
    public void awaitVisible(List<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = Futures.await(admin.describeTopics(names).allTopicNames(),
                        timeout, "describe new topics " + names);
                boolean led = described.values().stream().allMatch(d -> d.partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (led && Futures.await(admin.listTopics().names(), timeout, "list the topics").containsAll(names)) {
                    awaitServed(described);
                    return;
                }
            } catch (CourierException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new CourierException("topics " + names + " were created at " + servers
                        + " but are not visible after " + Durations.format(timeout));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CourierException("interrupted while waiting for topics " + names, e);
            }
        }
    }

    /**
     * A broker lists a partition's leader as soon as its metadata cache has it, which can be a moment before the
     * leader serves the partition. ListOffsets is answered by the leader's replica manager, so it succeeding for
     * every partition means produce requests will be accepted too.
     */
    private void awaitServed(Map<String, TopicDescription> described) {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        described.forEach((name, d) -> d.partitions().forEach(p ->
                partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        // A failure goes to the caller's retry loop, which reports the last one if the deadline passes.
        Futures.await(admin.listOffsets(partitions).all(), timeout, "list the offsets of new topics");
    }

    private List<String> drift(Topic<?, ?> t) {
        TopicDescription d = requireExisting(t.name());
        List<String> found = new ArrayList<>();
        if (d.partitions().size() != t.partitions()) {
            found.add("topic '" + t.name() + "' has " + d.partitions().size() + " partitions, declared " + t.partitions());
        }
        int rf = d.partitions().get(0).replicas().size();
        if (rf != t.replicationFactor()) {
            found.add("topic '" + t.name() + "' has replication factor " + rf + ", declared " + t.replicationFactor());
        }
        if (!t.configs().isEmpty()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
            Config actual = Futures.await(admin.describeConfigs(List.of(resource)).all(), timeout,
                    "describe the configs of topic '" + t.name() + "'").get(resource);
            Map<String, String> values = actual.entries().stream()
                    .filter(e -> e.value() != null)
                    .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
            t.configs().forEach((k, v) -> {
                if (!v.equals(values.get(k))) {
                    found.add("topic '" + t.name() + "' has " + k + "=" + values.get(k) + ", declared " + k + "=" + v);
                }
            });
        }
        return found;
    }

    /** @throws CourierException naming the topic if it does not exist */
    TopicDescription requireExisting(String topic) {
        return existing(topic).orElseThrow(() -> new CourierException("topic '" + topic + "' does not exist at "
                + servers + "; declare it and call Courier.provision(...), or create it"));
    }

    /** One describe call; a topic that does not exist is empty, not an error. */
    private Optional<TopicDescription> existing(String topic) {
        try {
            return Optional.of(Futures.await(admin.describeTopics(List.of(topic)).allTopicNames(), timeout,
                    "describe topic '" + topic + "' at " + servers).get(topic));
        } catch (CourierException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Creates the topic like {@code template} if it is missing (dead-letter topics), waiting for its leaders. */
    void ensureLike(String topic, TopicDescription template) {
        if (existing(topic).isEmpty()) {
            create(List.of(new NewTopic(topic, template.partitions().size(),
                    (short) template.partitions().get(0).replicas().size())), Map.of());
        }
    }
}
