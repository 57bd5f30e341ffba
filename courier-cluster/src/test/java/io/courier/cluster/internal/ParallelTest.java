package io.courier.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** A node whose start runs until it is given up on, as a start waiting for a quorum would. */
    private static final class SlowNode implements ClusterNode {
        final CountDownLatch abandoned = new CountDownLatch(1);
        final AtomicBoolean startEnded = new AtomicBoolean();
        private final NodeSpec spec;

        SlowNode(int id) {
            spec = new NodeSpec(id, 0, 0, Path.of("."), Map.of());
        }

        @Override
        public NodeSpec spec() {
            return spec;
        }

        @Override
        public void start(Duration timeout) {
            try {
                abandoned.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError("a start must not be interrupted: Kafka halts the JVM then", e);
            }
            startEnded.set(true);
        }

        @Override
        public void stop() {}

        @Override
        public void kill() {}

        @Override
        public void abandon() {
            abandoned.countDown();
        }

        @Override
        public boolean isRunning() {
            return false;
        }
    }

    @Test
    void aTimedOutStartGivesEveryNodeUpAndWaitsForTheStartsToEndBeforeItFails() {
        SlowNode a = new SlowNode(0);
        SlowNode b = new SlowNode(1);

        assertThrows(CourierException.class, () -> Parallel.forEach(List.of(a, b), "start", Duration.ofMillis(50),
                node -> node.start(Duration.ofMillis(50)), Duration.ofSeconds(20)));

        assertThat(a.startEnded).as("ended before forEach returned: the caller may delete its data now").isTrue();
        assertThat(b.startEnded).isTrue();
    }
}
