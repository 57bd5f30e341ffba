package io.courier.requestreply.internal;

import io.courier.core.CourierConfig;
import io.courier.requestreply.RequesterOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the reply partitions this instance owns in its reply group, on one thread. A partition counts as owned
 * only once its position is known: a request routed to it earlier could have its reply written before the
 * consumer's lazy "latest" reset, and skipped.
 */
final class ReplyConsumer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyConsumer.class);

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Consumer<ConsumerRecord<byte[], byte[]>> dispatch;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Thread thread;
    private final IntToLongFunction lastDeadline;
    private final Clock clock;
    private final Drainer drainer;
    private volatile int[] owned = new int[0];
    private volatile boolean closed;

    ReplyConsumer(CourierConfig config, RequesterOptions options, Consumer<ConsumerRecord<byte[], byte[]>> dispatch,
            IntToLongFunction lastDeadline) {
        Map<String, Object> base = config.kafkaClientConfig();
        base.put("enable.auto.commit", "false");
        // A reply written in a transaction (an exactly-once responder) counts only once the transaction commits.
        base.put("isolation.level", "read_committed");
        Map<String, Object> c = new HashMap<>(base);
        c.put("group.id", options.groupId());
        c.put("client.id", config.serviceName() + "-requester-" + options.replyTopic()
                + options.instanceId().map(id -> "-" + id).orElse(""));
        options.instanceId().ifPresent(id -> c.put("group.instance.id", id));
        // enable.auto.commit=false: positions start at the end on every assignment; there is nothing to commit.
        c.put("auto.offset.reset", "latest");
        // Cooperative: a rebalance moves only the partitions that must move, so the others keep their replies.
        c.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        this.consumer = config.clientFactory().consumer(c);
        this.topic = options.replyTopic();
        this.dispatch = dispatch;
        this.lastDeadline = lastDeadline;
        this.clock = config.clock();
        base.put("client.id", c.get("client.id") + "-drain");
        this.drainer = new Drainer(() -> config.clientFactory().consumer(base), clock);
        this.thread = new Thread(this, "courier-replies-" + topic);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    CompletableFuture<Void> ready() {
        return ready;
    }

    int[] owned() {
        return owned;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Listener());
            while (!closed) {
                try {
                    // While draining, poll the group consumer briefly so the drained partitions wait no longer.
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(drainer.active() ? 10 : 200))) {
                        dispatch.accept(r);
                    }
                    drainer.poll(dispatch);
                } catch (WakeupException e) {
                    // close() woke the poll
                } catch (RuntimeException e) {
                    if (!closed) {
                        LOG.warn("reading replies from topic '{}' failed, retrying in 1 s: {}", topic, e.toString());
                        sleepQuietly();
                    }
                }
            }
        } finally {
            owned = new int[0];
            drainer.close();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            TreeSet<Integer> now = set(owned);
            for (TopicPartition tp : partitions) {
                consumer.position(tp); // resolves "latest" now, before any request names this partition
                now.add(tp.partition());
            }
            owned = now.stream().mapToInt(Integer::intValue).toArray();
            LOG.info("requester owns reply partitions {} of topic '{}'", now, topic);
            if (!now.isEmpty()) {
                ready.complete(null);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
            long now = clock.millis();
            for (TopicPartition tp : partitions) {
                long deadline = lastDeadline.applyAsLong(tp.partition());
                if (deadline > now) {
                    drainer.add(tp, consumer.position(tp), deadline);
                }
            }
            if (!partitions.isEmpty()) {
                LOG.info("requester gave up reply partitions {} of topic '{}'; reading on until their requests expire",
                        partitions, topic);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions); // the position is gone with the membership: nothing to drain from
        }

        private void forget(Collection<TopicPartition> partitions) {
            TreeSet<Integer> now = set(owned);
            partitions.forEach(tp -> now.remove(tp.partition()));
            owned = now.stream().mapToInt(Integer::intValue).toArray();
        }

        private TreeSet<Integer> set(int[] values) {
            TreeSet<Integer> s = new TreeSet<>();
            for (int v : values) {
                s.add(v);
            }
            return s;
        }
    }
}
