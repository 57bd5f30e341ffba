package io.courier.cli;

import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.core.internal.Provisioner;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier topics list|describe|create}: topic administration against any Kafka cluster, through Kafka's
 * {@link Admin} client. Cluster-side refusals (an existing topic, a replication factor above the broker count, an
 * unknown config) end with one line naming the topic and the reason, exit code 1.
 */
@Command(name = "topics",
        mixinStandardHelpOptions = true,
        description = "List, describe and create the topics of any Kafka cluster.",
        subcommands = {TopicsCommand.ListTopics.class, TopicsCommand.DescribeTopic.class, TopicsCommand.CreateTopic.class},
        commandListHeading = "%nCommands:%n")
final class TopicsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code courier topics list}: the topic names, sorted, one per line. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print the topic names, sorted, one per line; internal topics (__consumer_offsets...) only with --internal.")
    static final class ListTopics implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Option(names = "--internal", description = "Also list Kafka's internal topics.")
        boolean internal;

        @Override
        public Integer call() {
            try (Courier courier = connection.connect()) {
                PrintWriter out = spec.commandLine().getOut();
                connection.await(courier.admin().listTopics(new ListTopicsOptions().listInternal(internal)).names(),
                        "list the topics").stream().sorted().forEach(out::println);
            }
            return 0;
        }
    }

    /** {@code courier topics describe}: partitions, replicas and configs of one topic. */
    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = {"Print a topic's partition count, replication factor and configs set on the topic, then "
                    + "leader, replicas and in-sync replicas (broker ids) per partition.",
                    "Configs shows only the topic's own overrides, not the cluster's defaults."})
    static final class DescribeTopic implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic.")
        String topic;

        @Override
        public Integer call() {
            ConnectionOptions.requireLegalTopic(topic);
            try (Courier courier = connection.connect()) {
                TopicDescription d = connection.describeExisting(courier.admin(), topic);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = connection.await(courier.admin().describeConfigs(List.of(resource)).all(),
                        "describe the configs of topic '" + topic + "'").get(resource);
                String overrides = config.entries().stream()
                        .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                        .map(e -> e.name() + "=" + (e.isSensitive() ? "(sensitive)" : e.value()))
                        .sorted().collect(Collectors.joining(","));
                PrintWriter out = spec.commandLine().getOut();
                // Kafka's kafka-topics.sh --describe layout, so that what parses one parses the other.
                out.println("Topic: " + d.name() + "\tTopicId: " + d.topicId() + "\tPartitionCount: "
                        + d.partitions().size() + "\tReplicationFactor: " + d.partitions().get(0).replicas().size()
                        + "\tConfigs: " + overrides);
                for (TopicPartitionInfo p : d.partitions()) {
                    out.println("\tTopic: " + d.name() + "\tPartition: " + p.partition() + "\tLeader: "
                            + (p.leader() == null || p.leader().isEmpty() ? "none" : p.leader().idString())
                            + "\tReplicas: " + ids(p.replicas()) + "\tIsr: " + ids(p.isr()));
                }
            }
            return 0;
        }

        private static String ids(List<Node> nodes) {
            return nodes.stream().map(Node::idString).collect(Collectors.joining(","));
        }
    }

    /** {@code courier topics create}: one topic, checked against the cluster's broker count first. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a topic; fails if it exists, or if the replication factor exceeds the brokers.")
    static final class CreateTopic implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC",
                description = "The name: at most 249 of a-z, A-Z, 0-9, '.', '_' and '-'.")
        String topic;

        @Option(names = "--partitions", paramLabel = "N",
                description = "Partition count, at least 1. Default: the cluster's num.partitions.")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "Copies of each partition, at most the broker count. Default: the cluster's default.replication.factor.")
        Integer replicationFactor;

        @Option(names = "--config", paramLabel = "KEY=VALUE",
                description = "A topic config such as retention.ms=86400000 or cleanup.policy=compact; repeatable.")
        Map<String, String> configs = new LinkedHashMap<>();

        @Override
        public Integer call() {
            ConnectionOptions.requireLegalTopic(topic);
            if (partitions != null && partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, but was " + partitions);
            }
            if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
                throw new IllegalArgumentException("--replication-factor must be between 1 and " + Short.MAX_VALUE
                        + ", but was " + replicationFactor);
            }
            try (Courier courier = connection.connect()) {
                Admin admin = courier.admin();
                if (replicationFactor != null) {
                    // Kafka's own refusal talks of "registered brokers"; say it in terms of this command's flag.
                    int brokers = connection.await(admin.describeCluster().nodes(), "describe the cluster").size();
                    if (replicationFactor > brokers) {
                        throw new CourierException("cannot create topic '" + topic + "' with --replication-factor "
                                + replicationFactor + ": the cluster at " + connection.servers() + " has only "
                                + brokers + " broker(s); use at most " + brokers);
                    }
                }
                NewTopic newTopic = new NewTopic(topic, Optional.ofNullable(partitions),
                        Optional.ofNullable(replicationFactor).map(Integer::shortValue)).configs(configs);
                create(admin, newTopic);
                awaitServed(admin);
            }
            spec.commandLine().getOut().println("Created topic " + topic + ".");
            return 0;
        }

        /**
         * The controller has the topic once the create returns; the brokers learn of it a moment later. Waits until
         * they serve it, so that a command right after this one (a publish) finds it. The topic exists either way, so
         * a wait that fails is a warning, not a failed command.
         */
        private void awaitServed(Admin admin) {
            try {
                new Provisioner(admin, connection.requestTimeout(), connection.servers()).awaitVisible(List.of(topic));
            } catch (CourierException e) {
                spec.commandLine().getErr().println("courier topics create: topic '" + topic + "' was created, but "
                        + "waiting for its partitions to be served failed: " + e.getMessage());
            }
        }

        private void create(Admin admin, NewTopic newTopic) {
            try {
                connection.await(admin.createTopics(List.of(newTopic)).all(), "create topic '" + topic + "'");
            } catch (CourierException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    throw new CourierException("topic '" + topic + "' already exists at " + connection.servers(), e);
                }
                throw e;
            }
        }
    }
}
