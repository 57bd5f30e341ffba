package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cluster started with SCRAM-SHA-512 and the StandardAuthorizer, over SASL_PLAINTEXT and over SASL_SSL, with
 * one in-process node and with three forked ones.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecuredClusterIT {

    @ParameterizedTest
    @EnumSource(ClusterSecurity.Protocol.class)
    void authenticatesUsersAndEnforcesAcls(ClusterSecurity.Protocol protocol) throws Exception {
        ClusterSecurity security = new ClusterSecurity(protocol, "admin", "admin-secret");
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(ClusterOptions.builder().security(security).build())) {
            assertThat(cluster.clientProperties()).containsEntry("security.protocol", protocol.name());
            Admin admin = cluster.admin();
            cluster.createTopic("orders", 1, 1);
            cluster.createTopic("secret", 1, 1);
            admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialUpsertion("alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "alice-pw"),
                    new UserScramCredentialUpsertion("bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "bob-pw")))
                    .all().get(30, TimeUnit.SECONDS);
            ResourcePattern orders = new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL);
            admin.createAcls(List.of(
                    new AclBinding(orders, new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW)),
                    new AclBinding(orders, new AccessControlEntry("User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);

            // ACLs and credentials reach the brokers through the metadata log: eventually, not at once.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .untilAsserted(() -> send(cluster.clientProperties("alice", "alice-pw"), "orders"));

            assertThat(sendFailure(cluster.clientProperties("alice", "alice-pw"), "secret"))
                    .isInstanceOf(TopicAuthorizationException.class).hasMessageContaining("secret");
            assertThat(sendFailure(cluster.clientProperties("bob", "bob-pw"), "orders"))
                    .isInstanceOf(TopicAuthorizationException.class).hasMessageContaining("orders");

            try (Admin wrongPassword = Admin.create(cluster.clientProperties("alice", "not-her-password"))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> wrongPassword.listTopics().names().get(30, TimeUnit.SECONDS));
                assertThat(e.getCause()).isInstanceOf(SaslAuthenticationException.class);
            }
        }
    }

    /**
     * Replication between nodes runs over the secured listeners too: three forked nodes (whose TLS key reaches them
     * through their properties files, not memory) keep an RF 3 topic in sync through a leader crash, and the crashed
     * node catches up again when it restarts.
     */
    @Test
    void replicatesBetweenForkedNodesOverSaslSslThroughALeaderCrash() throws Exception {
        ClusterOptions options = ClusterOptions.builder().nodes(3).forkedNodes(true).forkedNodeHeap("256m")
                .security(ClusterSecurity.saslSsl())
                .brokerProperty("broker.session.timeout.ms", "3000")
                .brokerProperty("broker.heartbeat.interval.ms", "500")
                .build();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(options)) {
            cluster.createTopic("replicated", 1, 3, Map.of("min.insync.replicas", "3"));
            // min.insync.replicas 3: an acks=all write is acknowledged only once both followers fetched it.
            produce(cluster, "replicated", 0, 100);
            int leader = cluster.leaderOf("replicated", 0, Duration.ofSeconds(30));

            cluster.crashNode(leader);
            setMinInsyncReplicas(cluster, "replicated", "2");
            produce(cluster, "replicated", 100, 200);
            assertThat(cluster.leaderOf("replicated", 0, Duration.ofSeconds(30))).isNotEqualTo(leader);

            cluster.restartNode(leader);
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(isr(cluster, "replicated"))
                    .as("in-sync replicas once the crashed node has caught up").hasSize(3));

            List<String> values = Records.readAll(Records.consumerConfig(cluster.clientProperties()), "replicated",
                    Duration.ofMinutes(1)).stream().map(ConsumerRecord::value).toList();
            assertThat(values).containsExactlyElementsOf(
                    IntStream.range(0, 200).mapToObj(Integer::toString).toList());
        }
    }

    private static void produce(EmbeddedKafkaCluster cluster, String topic, int from, int to) throws Exception {
        Records.produce(cluster.clientProperties(), topic, "k",
                IntStream.range(from, to).mapToObj(Integer::toString).toList());
    }

    private static void setMinInsyncReplicas(EmbeddedKafkaCluster cluster, String topic, String value)
            throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        cluster.admin().incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry("min.insync.replicas", value), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
    }

    private static List<Integer> isr(EmbeddedKafkaCluster cluster, String topic) throws Exception {
        return cluster.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().get(0).isr().stream().map(Node::id).toList();
    }

    private static void send(Map<String, Object> client, String topic) throws Exception {
        Map<String, Object> config = Records.producerConfig(client);
        config.put("max.block.ms", "10000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
        }
    }

    private static Throwable sendFailure(Map<String, Object> client, String topic) {
        Exception e = assertThrows(Exception.class, () -> send(client, topic));
        return e instanceof ExecutionException ? e.getCause() : e;
    }
}
