package io.courier.requestreply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.ClientFactory;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A requester's life at its edges, with real clients around one that misbehaves on purpose: a start that gets no
 * reply partition because reading replies fails, a send that blocks past the request's deadline, and a close()
 * that runs while a request is being sent.
 */
@EmbeddedKafka
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RequesterLifecycleIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static int counter;

    private final EmbeddedKafkaCluster cluster;
    private final ClientFactory kafka = ClientFactory.kafka();
    private final ExecutorService caller = Executors.newSingleThreadExecutor();
    private Endpoint<String, String, String> endpoint;
    private String replies;

    RequesterLifecycleIT(EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void declare() {
        int n = ++counter;
        Topic<String, String> requests = Topic.builder("lifecycle-" + n, Serdes.string(), Serdes.string()).build();
        try (Courier courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).build())) {
            courier.provision(requests);
        }
        endpoint = Endpoint.of(requests, Serdes.string());
        replies = "lifecycle-" + n + ".replies";
    }

    @AfterEach
    void stopCaller() {
        caller.shutdownNow();
    }

    @Test
    void aStartThatGetsNoPartitionBecauseReadingRepliesIsRefusedSaysSoAndIsNotRetriable() {
        RuntimeException refused = new TopicAuthorizationException(Set.of(replies));
        try (Courier courier = connect(factory(() -> failingConsumer(refused), null), null)) {
            assertThatThrownBy(() -> Requester.start(courier, failingSoon()))
                    .isInstanceOf(CourierException.class)
                    .isNotInstanceOf(CourierRetriableException.class)
                    .hasMessageContaining("reply topic '" + replies + "'")
                    .hasMessageContaining("group '" + replies + ".requesters'")
                    .hasMessageContaining("reading replies failed with")
                    .hasMessageContaining("TopicAuthorizationException")
                    .hasCause(refused);
        }
    }

    @Test
    void aStartThatGetsNoPartitionWhileReadingRepliesTimesOutIsRetriableAndNamesTheLastError() {
        RuntimeException slow = new TimeoutException("no leader for " + replies + "-0");
        try (Courier courier = connect(factory(() -> failingConsumer(slow), null), null)) {
            assertThatThrownBy(() -> Requester.start(courier, failingSoon()))
                    .isInstanceOf(CourierRetriableException.class)
                    .hasMessageContaining("reply topic '" + replies + "'")
                    .hasMessageContaining("more requester instances than reply partitions")
                    .hasMessageContaining("last error reading replies")
                    .hasMessageContaining("no leader for " + replies + "-0");
        }
    }

    @Test
    void aStartWhoseReplyThreadDiesOfAnErrorFailsAtOnceNamingIt() {
        NoClassDefFoundError gone = new NoClassDefFoundError("org/example/Gone");
        Supplier<Consumer<byte[], byte[]>> dying = () -> new MockConsumer<>("latest") {
            @Override
            public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
                throw gone;
            }
        };
        // A ready timeout beyond the class's timeout: waiting it out, as before, would fail the test.
        RequesterOptions patient = RequesterOptions.builder(replies).replyPartitions(2)
                .readyTimeout(Duration.ofMinutes(10)).build();
        try (Courier courier = connect(factory(dying, null), null)) {
            assertThatThrownBy(() -> Requester.start(courier, patient))
                    .isInstanceOf(CourierException.class)
                    .isNotInstanceOf(CourierRetriableException.class)
                    .hasMessageContaining("reply topic '" + replies + "'")
                    .hasMessageContaining("reading replies failed with java.lang.NoClassDefFoundError: org/example/Gone")
                    .hasCause(gone);
        }
    }

    @Test
    void aSendThatBlocksPastTheDeadlineTimesOutAtTheDeadlineTheRequestCarries() throws Exception {
        // Every send blocks for 1.5 s, as a producer on a full buffer does, then goes through. The timer runs to the
        // deadline the request carries, while the send still blocks. (The clock stands still: the deadline is exact.)
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Runnable block = () -> {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Courier courier = connect(factory(null, block), clock);
                Requester requester = Requester.start(courier, options())) {
            Instant sent = clock.instant();
            CompletableFuture<Reply<String>> timedOut = requester.request(endpoint, "sku-1", "sku-1",
                    Duration.ofMillis(300));
            assertThat(timedOut).as("timed out while the send blocked").isDone();
            Reply<String> reply = timedOut.get();

            assertThat(reply).isInstanceOfSatisfying(Reply.Timeout.class,
                    t -> assertThat(t.deadline()).isEqualTo(sent.plus(Duration.ofMillis(300))));
            assertThat(requester.stats().timedOut()).isEqualTo(1);
        }
    }

    @Test
    void aSendThatBlocksPastTheDeadlineAndThenFailsEndsAsATimeoutAtTheDeadline() throws Exception {
        // As a producer waiting for metadata does: the send blocks (up to max.block.ms), then fails. The caller's
        // deadline came first, so the caller gets the timeout the deadline promises, not the send's failure.
        Runnable blockThenFail = () -> {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new TimeoutException("Topic " + endpoint.name() + " not present in metadata after 1500 ms.");
        };
        try (Courier courier = connect(factory(null, blockThenFail), null);
                Requester requester = Requester.start(courier, options())) {
            CompletableFuture<Reply<String>> reply = requester.request(endpoint, "sku-4", "sku-4", Duration.ofMillis(300));

            assertThat(reply).succeedsWithin(WAIT).isInstanceOf(Reply.Timeout.class);
            assertThat(requester.stats().timedOut()).isEqualTo(1);
            assertThat(requester.stats().pending()).isZero();
        }
    }

    @Test
    void aReplyThreadEndedByAnErrorFailsPendingAndLaterRequestsNamingIt() throws Exception {
        CountDownLatch requestSent = new CountDownLatch(1);
        TopicPartition p0 = new TopicPartition(replies, 0);
        TopicPartition p1 = new TopicPartition(replies, 1);
        Supplier<Consumer<byte[], byte[]>> dying = () -> {
            MockConsumer<byte[], byte[]> c = new MockConsumer<>("latest") {
                @Override
                public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
                    if (requestSent.getCount() == 0) {
                        throw new NoClassDefFoundError("org/example/Gone"); // what no retry can mend
                    }
                    return super.poll(timeout);
                }
            };
            c.updateEndOffsets(Map.of(p0, 0L, p1, 0L));
            c.schedulePollTask(() -> c.rebalance(List.of(p0, p1)));
            return c;
        };
        try (Courier courier = connect(factory(dying, null), null);
                Requester requester = Requester.start(courier, options())) {
            CompletableFuture<Reply<String>> pending = requester.request(endpoint, "sku-5", "sku-5", WAIT);
            requestSent.countDown();

            assertThat(pending).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CourierException.class)
                    .withMessageContaining("stopped reading replies").withMessageContaining("org/example/Gone");
            assertThat(requester.request(endpoint, "sku-6", "sku-6", WAIT)).failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(CourierException.class)
                    .withMessageContaining("close it and start another");
            assertThat(requester.stats()).as("both counted as errors, only the first as sent")
                    .returns(1L, RequesterStats::sent).returns(2L, RequesterStats::errors)
                    .returns(0, RequesterStats::pending);
        }
    }

    @Test
    void aRequestBeingSentWhenCloseRunsFailsItsCallerInsteadOfThrowing() throws Exception {
        CountDownLatch inSend = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runnable holdTheSend = () -> {
            inSend.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Courier courier = connect(factory(null, holdTheSend), null)) {
            Requester requester = Requester.start(courier, options());
            // The record is handed to Kafka; the caller is still inside request() when close() runs.
            Future<CompletableFuture<Reply<String>>> request = caller.submit(() ->
                    requester.request(endpoint, "sku-2", "sku-2", WAIT));
            assertThat(inSend.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the send started").isTrue();
            requester.close();
            closed.countDown();

            CompletableFuture<Reply<String>> reply = request.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(reply).failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CourierException.class)
                    .withMessageContaining("requester for reply topic '" + replies + "' closed before request")
                    .withMessageContaining("to '" + endpoint.name() + "' was answered");
            assertThatThrownBy(() -> requester.request(endpoint, "sku-3", "sku-3", WAIT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("requester for reply topic '" + replies + "' is closed");
            assertThat(requester.stats().errors()).as("the request close failed").isEqualTo(1);
        }
    }

    private RequesterOptions options() {
        return RequesterOptions.builder(replies).replyPartitions(2).build();
    }

    /** Options for a start that is meant to fail: it gives up soon. */
    private RequesterOptions failingSoon() {
        return RequesterOptions.builder(replies).replyPartitions(2).readyTimeout(Duration.ofSeconds(3)).build();
    }

    private Courier connect(ClientFactory clients, MovableClock clock) {
        CourierConfig.Builder config = CourierConfig.builder(cluster.bootstrapServers()).serviceName("lifecycle")
                .clientFactory(clients);
        return Courier.connect(clock == null ? config.build() : config.clock(clock).build());
    }

    /**
     * @param replyConsumer the consumers to hand out instead of real ones, or null for real ones
     * @param afterSend     what each producer does once a record is handed to Kafka, or null for nothing
     */
    private ClientFactory factory(Supplier<Consumer<byte[], byte[]>> replyConsumer, Runnable afterSend) {
        return new ClientFactory() {
            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> config) {
                Producer<byte[], byte[]> real = kafka.producer(config);
                return afterSend == null ? real : afterEachSend(real, afterSend);
            }

            @Override
            public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
                return replyConsumer == null ? kafka.consumer(config) : replyConsumer.get();
            }

            @Override
            public Admin admin(Map<String, Object> config) {
                return kafka.admin(config);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static Producer<byte[], byte[]> afterEachSend(Producer<byte[], byte[]> real, Runnable afterSend) {
        return (Producer<byte[], byte[]>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
                new Class<?>[] {Producer.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("send")) {
                        afterSend.run();
                    }
                    return result;
                });
    }

    /** A reply consumer whose every poll fails with {@code error}, as one refused by the broker's ACLs does. */
    private static Consumer<byte[], byte[]> failingConsumer(RuntimeException error) {
        return new MockConsumer<>("latest") {
            @Override
            public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
                throw error;
            }
        };
    }
}
