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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** A node whose start runs until it is given up on, as a start waiting for a quorum would. */
    private static class SlowNode implements ClusterNode {
        final CountDownLatch abandoned = new CountDownLatch(1);
        final AtomicBoolean startEnded = new AtomicBoolean();
        final AtomicBoolean endedByAbandon = new AtomicBoolean();
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
                endedByAbandon.set(abandoned.await(30, TimeUnit.SECONDS));
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

    @Test
    void anInterruptedStartGivesEveryNodeUpAndWaitsForTheStartsToEndBeforeItFails() throws Exception {
        SlowNode a = new SlowNode(0);
        SlowNode b = new SlowNode(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread starter = new Thread(() -> {
            try {
                Parallel.forEach(List.of(a, b), "start", Duration.ofSeconds(60), node -> node.start(Duration.ZERO),
                        Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                thrown.set(e);
                interruptKept.set(Thread.currentThread().isInterrupted());
            }
        });
        starter.start();
        Thread.sleep(200);
        starter.interrupt();
        starter.join(30_000);

        assertThat(thrown.get()).isInstanceOf(CourierException.class).hasMessage("interrupted during start");
        assertThat(interruptKept).as("the caller's interrupt is kept").isTrue();
        assertThat(a.startEnded).as("ended before forEach returned: the caller may delete its data now").isTrue();
        assertThat(b.startEnded).isTrue();
    }

    @Test
    void aNodeThatFailsAtOnceIsReportedFirstAndTheOthersAreGivenUp() {
        SlowNode slow = new SlowNode(0);
        ClusterNode failing = new SlowNode(1) {
            @Override
            public void start(Duration timeout) {
                throw new CourierException("node 1 failed to start: bad meta.properties");
            }
        };

        CourierException e = assertThrows(CourierException.class, () -> Parallel.forEach(List.of(slow, failing),
                "start", Duration.ofSeconds(60), node -> node.start(Duration.ZERO), Duration.ofSeconds(20)));

        assertThat(e).hasMessage("node 1 failed to start: bad meta.properties");
        assertThat(slow.endedByAbandon).as("given up on at once, not waited for").isTrue();
    }

    @Test
    void aStopWaitsForEveryNodeEvenAfterOneFailed() {
        AtomicBoolean slowStopEnded = new AtomicBoolean();
        ClusterNode failing = new SlowNode(0) {
            @Override
            public void stop() {
                throw new CourierException("node 0 failed to stop");
            }
        };
        ClusterNode slow = new SlowNode(1) {
            @Override
            public void stop() {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ex) {
                    throw new AssertionError(ex);
                }
                slowStopEnded.set(true);
            }
        };

        CourierException e = assertThrows(CourierException.class,
                () -> Parallel.forEach(List.of(failing, slow), "stop", Duration.ofSeconds(60), ClusterNode::stop));

        assertThat(e).hasMessage("node 0 failed to stop");
        assertThat(slowStopEnded).as("the data may be deleted once forEach returns").isTrue();
    }
}
