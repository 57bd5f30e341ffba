package io.courier.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

    @Test
    void defaultsToOneInProcessNodeOnFreePortsWithATemporaryDirectory() {
        ClusterOptions options = ClusterOptions.defaults();
        assertThat(options.nodes()).isEqualTo(1);
        assertThat(options.port()).isZero();
        assertThat(options.dataDirectory()).isEmpty();
        assertThat(options.security()).isEmpty();
        assertThat(options.forkedNodes()).isFalse();
        assertThat(options.forkedNodeHeap()).isEqualTo("256m");
    }

    @Test
    void rejectsANodeCountOutsideOneToNine() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> ClusterOptions.builder().nodes(0).build()))
                .hasMessage("nodes must be between 1 and 9, but was 0");
        assertThat(assertThrows(IllegalArgumentException.class, () -> ClusterOptions.builder().nodes(10).build()))
                .hasMessage("nodes must be between 1 and 9, but was 10");
    }

    @Test
    void rejectsAPrivilegedPortAndAPortRangeThatRunsPast65535() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> ClusterOptions.builder().port(80).build()))
                .hasMessage("port must be 0 (free ports) or between 1024 and 65535 for 1 node(s), but was 80");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> ClusterOptions.builder().nodes(3).port(65534).build()))
                .hasMessage("port must be 0 (free ports) or between 1024 and 65533 for 3 node(s), but was 65534");
    }

    @Test
    void rejectsAMalformedHeapAndANonPositiveTimeout() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> ClusterOptions.builder().forkedNodeHeap("lots").build()))
                .hasMessage("forked node heap must look like 256m or 1g, but was 'lots'");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> ClusterOptions.builder().startTimeout(Duration.ZERO).build()))
                .hasMessage("start timeout must be positive, but was 0s");
    }

    @Test
    void isImmutableOnceBuilt() {
        ClusterOptions.Builder builder = ClusterOptions.builder().brokerProperty("num.partitions", "3");
        ClusterOptions options = builder.build();
        builder.brokerProperty("num.partitions", "6").dataDirectory(Path.of("elsewhere"));
        assertThat(options.brokerProperties()).containsExactlyEntriesOf(java.util.Map.of("num.partitions", "3"));
        assertThat(options.dataDirectory()).isEmpty();
        assertThrows(UnsupportedOperationException.class, () -> options.brokerProperties().put("x", "y"));
    }

    @Test
    void securityRejectsNamesThatTheFormatArgumentCannotCarryAndHidesThePassword() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> ClusterSecurity.saslPlaintext().withAdmin("ad min", "pw")))
                .hasMessage("admin user must be letters, digits, '.', '_' or '-', but was 'ad min'");
        assertThrows(IllegalArgumentException.class, () -> ClusterSecurity.saslSsl().withAdmin("admin", "a,b"));
        assertThat(ClusterSecurity.saslSsl().toString()).doesNotContain("admin-secret");
    }
}
