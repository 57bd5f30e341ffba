package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.common.CourierException;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Provisioning that races another service creating the same topic: the race is set up, not waited for. */
@EmbeddedKafka
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProvisionerIT {

    @Test
    void aTopicAnotherServiceCreatedMeanwhileIsCheckedAgainstItsDeclaration(EmbeddedKafkaCluster cluster)
            throws Exception {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            ListTopicsResult before = admin.listTopics(); // what this service saw, before the other one's create
            assertThat(before.names().get(30, TimeUnit.SECONDS)).doesNotContain("raced");
            admin.createTopics(List.of(new NewTopic("raced", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            AtomicBoolean listed = new AtomicBoolean();
            Admin racing = (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("listTopics") && args == null && !listed.getAndSet(true)) {
                            return before;
                        }
                        try {
                            return method.invoke(admin, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            Provisioner provisioner = new Provisioner(racing, Duration.ofSeconds(30), cluster.bootstrapServers());
            Topic<String, String> declared = Topic.builder("raced", Serdes.string(), Serdes.string()).partitions(6)
                    .build();

            CourierException e = assertThrows(CourierException.class, () -> provisioner.provision(List.<Topic<?, ?>>of(declared)));

            assertThat(e).hasMessageStartingWith("existing topics differ from their declarations (Courier does not "
                    + "change existing topics; align the declaration or alter the topic): ")
                    .hasMessageContaining("topic 'raced' has 3 partitions, declared 6");
        }
    }
}
