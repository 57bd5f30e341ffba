package io.courier.cluster.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts one embedded Kafka cluster before the first test of the annotated class and stops it after the last.
 * Test constructors, lifecycle methods and test methods receive it as an
 * {@link io.courier.cluster.EmbeddedKafkaCluster} parameter; nested classes share their outer class's cluster.
 *
 * <pre>{@code
 * @EmbeddedKafka(nodes = 3)
 * class ReplicationIT {
 *     @Test
 *     void survivesALeaderCrash(EmbeddedKafkaCluster cluster) { ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(EmbeddedKafkaExtension.class)
public @interface EmbeddedKafka {

    /** @return the number of combined broker + controller nodes */
    int nodes() default 1;

    /** @return whether each node runs in a child JVM, so that tests can crash it */
    boolean forkedNodes() default false;

    /** @return broker properties as {@code key=value} strings, applied to every node */
    String[] brokerProperties() default {};
}
