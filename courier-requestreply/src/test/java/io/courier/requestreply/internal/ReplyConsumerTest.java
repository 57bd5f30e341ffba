package io.courier.requestreply.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.core.ClientFactory;
import io.courier.core.CourierConfig;
import io.courier.requestreply.RequesterOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which reply partitions are read, and from where, as the group moves them; the rebalance calls are the test's. */
@Timeout(60)
class ReplyConsumerTest {
    private static final TopicPartition P0 = new TopicPartition("checkout.replies", 0);
    private static final TopicPartition P1 = new TopicPartition("checkout.replies", 1);

    /** The group's consumer; the test calls its rebalance listener as the group would. */
    private static final class GroupConsumer extends MockConsumer<byte[], byte[]> {
        volatile ConsumerRebalanceListener listener;
        /** How many position lookups fail first, as they do while a partition has no leader. */
        final java.util.concurrent.atomic.AtomicInteger failingPositions = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public synchronized long position(TopicPartition partition, Duration timeout) {
            if (failingPositions.getAndDecrement() > 0) {
                throw new org.apache.kafka.common.errors.TimeoutException("no leader for " + partition);
            }
            return super.position(partition, timeout);
        }

        GroupConsumer() {
            super("latest");
        }

        @Override
        public synchronized void subscribe(Collection<String> topics, ConsumerRebalanceListener callback) {
            listener = callback;
            super.subscribe(topics, callback);
        }
    }

    private final GroupConsumer group = new GroupConsumer();
    private final MockConsumer<byte[], byte[]> drain = new MockConsumer<>("latest");
    private final List<Long> dispatched = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    /** What dispatching a reply does besides recording its offset. */
    private volatile Runnable onDispatch = () -> { };
    private ReplyConsumer replies;

    private ReplyConsumer start() {
        Queue<Consumer<byte[], byte[]>> consumers = new ArrayDeque<>(List.of(group, drain));
        ClientFactory clients = new ClientFactory() {
            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> config) {
                throw new AssertionError("no producer here");
            }

            @Override
            public synchronized Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
                return consumers.remove();
            }

            @Override
            public Admin admin(Map<String, Object> config) {
                throw new AssertionError("no admin here");
            }
        };
        replies = new ReplyConsumer(CourierConfig.builder("localhost:9092").clientFactory(clients).build(),
                RequesterOptions.builder("checkout.replies").build(), r -> {
                    dispatched.add(r.offset());
                    onDispatch.run();
                }, stopped::countDown);
        replies.start();
        return replies;
    }

    @AfterEach
    void close() {
        if (replies != null) {
            replies.close();
        }
    }

    private static ConsumerRecord<byte[], byte[]> reply(long offset) {
        return new ConsumerRecord<>(P0.topic(), P0.partition(), offset, null, new byte[0]);
    }

    /** Starts with partitions 0 and 1 assigned, at positions 5 and 3. */
    private void startOwningBoth() {
        group.updateEndOffsets(Map.of(P0, 5L, P1, 3L));
        group.schedulePollTask(() -> group.rebalance(List.of(P0, P1)));
        start();
        replies.ready().join();
        await().until(() -> replies.owned().length == 2);
    }

    @Test
    void aReplyWhoseDispatchThrowsIsDroppedAndTheNextOneIsStillRead() {
        startOwningBoth();
        onDispatch = () -> {
            if (dispatched.size() == 1) {
                throw new StackOverflowError("a continuation that recursed too deep");
            }
        };
        group.schedulePollTask(() -> {
            group.addRecord(new ConsumerRecord<>(P0.topic(), 0, 5, null, new byte[0]));
            group.addRecord(new ConsumerRecord<>(P0.topic(), 0, 6, null, new byte[0]));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains(6L));
        assertThat(replies.stoppedBy()).isNull();
    }

    @Test
    void theJvmsOwnErrorWhileDispatchingAReplyEndsTheReplyThreadAndTellsTheRequester() throws Exception {
        startOwningBoth();
        OutOfMemoryError error = new OutOfMemoryError("Java heap space");
        onDispatch = () -> {
            throw error;
        };
        group.schedulePollTask(() -> group.addRecord(new ConsumerRecord<>(P0.topic(), 0, 5, null, new byte[0])));

        assertThat(stopped.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the requester was told").isTrue();
        assertThat(replies.stoppedBy()).isSameAs(error);
    }

    @Test
    void aReplyThreadEndedByAnErrorSaysSoAndTellsTheRequester() throws Exception {
        startOwningBoth();
        group.schedulePollTask(() -> {
            throw new NoClassDefFoundError("org/apache/kafka/Missing");
        });
        assertThat(stopped.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the requester was told").isTrue();
        assertThat(replies.stoppedBy()).isInstanceOf(NoClassDefFoundError.class);
        assertThat(replies.owned()).isEmpty();
    }

    @Test
    void closeCalledFromAReplyContinuationReturnsWithoutWaitingForItself() {
        startOwningBoth();
        java.util.concurrent.CompletableFuture<Void> closedFromReply = new java.util.concurrent.CompletableFuture<>();
        onDispatch = () -> {
            replies.close();
            closedFromReply.complete(null);
        };
        group.schedulePollTask(() -> group.addRecord(new ConsumerRecord<>(P0.topic(), 0, 5, null, new byte[0])));
        // Waiting for itself, close() would hold the reply thread for its 10 s join.
        assertThat(closedFromReply).succeedsWithin(Duration.ofSeconds(5));
        assertThat(stopped.getCount()).as("a close is not a stop on its own").isEqualTo(1);
    }

    @Test
    void aRequestRoutedAfterARevocationGoesToAPartitionStillOwnedAndBothAreDrainedOnceGivenUp() {
        startOwningBoth();
        long now = System.currentTimeMillis();
        assertThat(replies.route(now + 60_000, 0)).isEqualTo(0);

        group.schedulePollTask(() -> group.listener.onPartitionsRevoked(List.of(P0)));
        await().until(() -> replies.owned().length == 1);
        assertThat(replies.route(now + 60_000, 0)).as("a request routed after the revocation").isEqualTo(1);
        assertThat(replies.route(now + 60_000, 1)).isEqualTo(1);

        // Both have a request waiting: both are drained, each from where the group stopped reading it.
        group.schedulePollTask(() -> group.listener.onPartitionsRevoked(List.of(P1)));
        await().until(() -> replies.owned().length == 0);
        List<Collection<TopicPartition>> drained = new CopyOnWriteArrayList<>();
        drain.schedulePollTask(() -> {
            drained.add(Set.copyOf(drain.assignment()));
            drain.addRecord(reply(5));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains(5L));
        assertThat(drained).containsExactly(Set.of(P0, P1));
        assertThat(drain.position(P1)).isEqualTo(3);
    }

    @Test
    void aPartitionGivenUpWhenEveryRequestRoutedThereIsPastItsDeadlineIsNotDrained() {
        startOwningBoth();
        long now = System.currentTimeMillis();
        assertThat(replies.route(now + 60_000, 0)).isEqualTo(0);
        assertThat(replies.route(now - 1, 1)).isEqualTo(1);

        group.schedulePollTask(() -> group.listener.onPartitionsRevoked(List.of(P0, P1)));
        await().until(() -> replies.owned().length == 0);
        List<Collection<TopicPartition>> drained = new CopyOnWriteArrayList<>();
        drain.schedulePollTask(() -> drained.add(Set.copyOf(drain.assignment())));
        await().atMost(Duration.ofSeconds(10)).until(() -> !drained.isEmpty());
        assertThat(drained.get(0)).as("only the partition with a request still waiting").containsExactly(P0);
    }

    @Test
    void aLostPartitionIsDrainedFromWhereItStoppedAndResumedThereWhenItComesBack() {
        group.updateEndOffsets(Map.of(P0, 5L));
        group.schedulePollTask(() -> group.rebalance(List.of(P0)));
        start();
        replies.ready().join();
        assertThat(group.position(P0)).isEqualTo(5);
        assertThat(replies.route(Long.MAX_VALUE, 0)).isEqualTo(0);

        // The member missed its heartbeats: the group took partition 0 without a revocation. A reply to the request
        // routed there is written at offset 5 meanwhile.
        group.schedulePollTask(() -> group.listener.onPartitionsLost(List.of(P0)));
        await().until(() -> replies.owned().length == 0);
        assertThat(replies.route(Long.MAX_VALUE, 1)).as("no partition to route to").isEqualTo(-1);
        drain.schedulePollTask(() -> drain.addRecord(reply(5)));
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains(5L));

        // The group gives partition 0 back (the mock consumer kept it assigned, and nothing was added to it
        // meanwhile): reading goes on after offset 5, not from the end.
        group.updateEndOffsets(Map.of(P0, 9L));
        group.schedulePollTask(() -> group.listener.onPartitionsAssigned(List.of(P0)));
        await().until(() -> replies.owned().length == 1);
        assertThat(group.position(P0)).isEqualTo(6);
        group.schedulePollTask(() -> group.addRecord(reply(6)));
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.contains(6L));
        assertThat(drain.assignment()).as("the drain stopped: nothing is read twice").isEmpty();
        assertThat(dispatched).containsExactly(5L, 6L);
    }

    @Test
    void aPartitionWhosePositionCannotBeResolvedYetIsOwnedOnceItCanBe() {
        group.updateEndOffsets(Map.of(P0, 5L));
        group.failingPositions.set(3);
        group.schedulePollTask(() -> group.rebalance(List.of(P0)));
        start();

        replies.ready().join();
        assertThat(replies.owned()).containsExactly(0);
        assertThat(group.failingPositions.get()).as("every failing lookup was tried").isNegative();
        await().until(() -> replies.lastError() == null); // cleared once polls go through again
    }
}
