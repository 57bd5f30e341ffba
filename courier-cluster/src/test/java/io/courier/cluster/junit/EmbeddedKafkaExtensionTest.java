package io.courier.cluster.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.ClusterOptions;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaExtensionTest {

    @EmbeddedKafka(nodes = 3, forkedNodes = true, brokerProperties = {"broker.session.timeout.ms = 3000", "a=b=c"})
    static final class Annotated {}

    @EmbeddedKafka(brokerProperties = "no-equals-sign")
    static final class Malformed {}

    @Test
    void readsNodesForkingAndBrokerPropertiesFromTheAnnotation() {
        ClusterOptions options = EmbeddedKafkaExtension.options(Annotated.class.getAnnotation(EmbeddedKafka.class));
        assertThat(options.nodes()).isEqualTo(3);
        assertThat(options.forkedNodes()).isTrue();
        assertThat(options.brokerProperties()).containsEntry("broker.session.timeout.ms", "3000").containsEntry("a", "b=c");
    }

    @Test
    void withoutAnAnnotationStartsTheDefaultCluster() {
        assertThat(EmbeddedKafkaExtension.options(null).nodes()).isEqualTo(1);
    }

    @Test
    void rejectsABrokerPropertyWithoutAnEqualsSign() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedKafkaExtension.options(Malformed.class.getAnnotation(EmbeddedKafka.class)));
        assertThat(e).hasMessage("broker property 'no-equals-sign' must look like key=value");
    }
}
