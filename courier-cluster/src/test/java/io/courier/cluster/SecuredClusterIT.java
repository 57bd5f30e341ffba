package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A cluster started with SCRAM-SHA-512 and the StandardAuthorizer, over SASL_PLAINTEXT and over SASL_SSL. */
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
