package io.courier.cluster.junit;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.cluster.ClusterOptions;
import io.courier.cluster.EmbeddedKafkaCluster;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link EmbeddedKafka}: one cluster per test class, closed after the class.
 * Without the annotation it starts a one-node cluster.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);
    private static final String KEY = "cluster";

    @Override
    public void beforeAll(ExtensionContext context) {
        if (find(context) != null) {
            return; // a nested class shares its outer class's cluster; or its constructor started it (below)
        }
        start(context);
    }

    private static EmbeddedKafkaCluster start(ExtensionContext classContext) {
        EmbeddedKafka settings = AnnotationSupport.findAnnotation(classContext.getRequiredTestClass(),
                EmbeddedKafka.class).orElse(null);
        EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(options(settings));
        classContext.getStore(NAMESPACE).put(KEY, cluster);
        return cluster;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        EmbeddedKafkaCluster own = context.getStore(NAMESPACE).remove(KEY, EmbeddedKafkaCluster.class);
        if (own != null) {
            own.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        EmbeddedKafkaCluster cluster = find(context);
        if (cluster == null && parameter.getDeclaringExecutable() instanceof java.lang.reflect.Constructor<?>
                && context.getTestInstanceLifecycle().orElse(null) == TestInstance.Lifecycle.PER_CLASS) {
            // PER_CLASS: JUnit builds the instance in the class's context before beforeAll, which then finds this one
            return start(context);
        }
        if (cluster == null) {
            throw new ParameterResolutionException("no embedded Kafka cluster is running for "
                    + context.getDisplayName() + "; annotate the test class with @EmbeddedKafka");
        }
        return cluster;
    }

    private static EmbeddedKafkaCluster find(ExtensionContext context) {
        // Store look-ups fall back to the parent contexts, so nested classes find the outer cluster.
        return context.getStore(NAMESPACE).get(KEY, EmbeddedKafkaCluster.class);
    }

    static ClusterOptions options(EmbeddedKafka settings) {
        ClusterOptions.Builder builder = ClusterOptions.builder();
        if (settings == null) {
            return builder.build();
        }
        builder.nodes(settings.nodes()).forkedNodes(settings.forkedNodes());
        for (String property : settings.brokerProperties()) {
            int eq = property.indexOf('=');
            requireArgument(eq > 0, "broker property '%s' must look like key=value", property);
            builder.brokerProperty(property.substring(0, eq).trim(), property.substring(eq + 1).trim());
        }
        return builder.build();
    }
}
