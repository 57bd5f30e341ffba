package io.courier.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cluster.ClusterOptions;
import io.courier.cluster.ClusterSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigsTest {
    private static final Path DIR = Path.of("/data");

    @Test
    void oneNodeClusterCreatesItsInternalTopicsWithReplicationFactorOne() {
        NodeSpec spec = NodeConfigs.specs(ClusterOptions.defaults(), DIR, new int[] {9092}, new int[] {9500}, null).get(0);
        assertThat(spec.properties())
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("node.id", "0")
                .containsEntry("controller.quorum.voters", "0@localhost:9500")
                .containsEntry("advertised.listeners", "BROKER://localhost:9092")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("default.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                .containsEntry("share.coordinator.state.topic.min.isr", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0")
                .containsEntry("log.cleaner.dedupe.buffer.size", "16777216")
                .containsEntry("log.dirs", DIR.resolve("node-0").toString());
    }

    @Test
    void threeNodesShareOneQuorumAndReplicateInternalTopicsThreeTimes() {
        List<NodeSpec> specs = NodeConfigs.specs(ClusterOptions.builder().nodes(3).build(), DIR,
                new int[] {9092, 9093, 9094}, new int[] {9500, 9501, 9502}, null);
        assertThat(specs).extracting(s -> s.properties().get("controller.quorum.voters"))
                .containsOnly("0@localhost:9500,1@localhost:9501,2@localhost:9502");
        assertThat(specs.get(2).properties())
                .containsEntry("node.id", "2")
                .containsEntry("listeners", "BROKER://localhost:9094,CONTROLLER://localhost:9502")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("default.replication.factor", "3")
                .containsEntry("transaction.state.log.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2")
                .containsEntry("share.coordinator.state.topic.replication.factor", "3")
                .containsEntry("share.coordinator.state.topic.min.isr", "2");
    }

    @Test
    void userBrokerPropertiesOverrideCouriersDefaults() {
        ClusterOptions options = ClusterOptions.builder().brokerProperty("group.initial.rebalance.delay.ms", "3000").build();
        NodeSpec spec = NodeConfigs.specs(options, DIR, new int[] {1}, new int[] {2}, null).get(0);
        assertThat(spec.properties()).containsEntry("group.initial.rebalance.delay.ms", "3000");
    }

    @Test
    void saslSslUsesScramOnTheBrokerListenerPlainOnTheControllerListenerAndTheStandardAuthorizer() {
        ClusterOptions options = ClusterOptions.builder().security(ClusterSecurity.saslSsl()).build();
        TlsMaterial tls = new TlsMaterial("CERT", "KEY");
        NodeSpec spec = NodeConfigs.specs(options, DIR, new int[] {1}, new int[] {2}, tls).get(0);
        assertThat(spec.properties())
                .containsEntry("listener.security.protocol.map", "BROKER:SASL_SSL,CONTROLLER:SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512")
                .containsEntry("listener.name.broker.sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .containsEntry("sasl.mechanism.controller.protocol", "PLAIN")
                .containsEntry("listener.name.controller.sasl.enabled.mechanisms", "PLAIN")
                .containsEntry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .containsEntry("super.users", "User:admin")
                .containsEntry("allow.everyone.if.no.acl.found", "false")
                .containsEntry("ssl.keystore.type", "PEM")
                .containsEntry("ssl.keystore.certificate.chain", "CERT")
                .containsEntry("ssl.keystore.key", "KEY");
    }

    @Test
    void saslPlaintextUsesScramOnTheBrokerListenerAndPlainOnTheControllerListenerWithoutTls() {
        ClusterOptions options = ClusterOptions.builder().security(ClusterSecurity.saslPlaintext()).build();
        NodeSpec spec = NodeConfigs.specs(options, DIR, new int[] {1}, new int[] {2}, null).get(0);
        assertThat(spec.properties())
                .containsEntry("listener.security.protocol.map", "BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .containsEntry("listener.name.broker.sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .containsEntry("sasl.mechanism.controller.protocol", "PLAIN")
                .containsEntry("listener.name.controller.sasl.enabled.mechanisms", "PLAIN")
                .doesNotContainKey("ssl.keystore.type");
    }

    @Test
    void boundsAStartThatWaitsForAQuorumButGivesAnInProcessControllerAtLeastAMinute() {
        NodeSpec inProcess = NodeConfigs.specs(ClusterOptions.builder().startTimeout(Duration.ofSeconds(5)).build(),
                DIR, new int[] {9092}, new int[] {9093}, null).get(0);
        NodeSpec inProcessLong = NodeConfigs.specs(ClusterOptions.builder().build(),
                DIR, new int[] {9092}, new int[] {9093}, null).get(0);
        NodeSpec forked = NodeConfigs.specs(ClusterOptions.builder().forkedNodes(true)
                .startTimeout(Duration.ofSeconds(5)).build(), DIR, new int[] {9092}, new int[] {9093},
                null).get(0);

        assertThat(inProcess.properties()).containsEntry("server.max.startup.time.ms", "60000");
        assertThat(inProcessLong.properties()).containsEntry("server.max.startup.time.ms", "90000");
        assertThat(forked.properties()).containsEntry("server.max.startup.time.ms", "5000");
    }
}
