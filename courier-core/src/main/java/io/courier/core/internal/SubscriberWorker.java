package io.courier.core.internal;

import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.Message;
import io.courier.core.MessageHandler;
import io.courier.core.SubscriberOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer thread of a subscriber: poll, handle, commit as the guarantee requires. Exactly-once batches go
 * through {@link TransactionalBatch}; the other two guarantees are handled here.
 */
final class SubscriberWorker<K, V> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberWorker.class);
    private static final Duration POLL = Duration.ofMillis(200);

    final String name;
    private final String topicName;
    private final SubscriberOptions options;
    private final CourierConfig config;
    private final RecordHandler<K, V> handler;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final String deadLetterTopic;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    final CountDownLatch firstAssignment = new CountDownLatch(1);
    private volatile boolean stopping;

    SubscriberWorker(String name, String topicName, SubscriberOptions options, CourierConfig config,
            RecordHandler<K, V> handler, Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer,
            String deadLetterTopic) {
        this.name = name;
        this.topicName = topicName;
        this.options = options;
        this.config = config;
        this.handler = handler;
        this.consumer = consumer;
        this.producer = producer;
        this.deadLetterTopic = deadLetterTopic;
    }

    Set<TopicPartition> assigned() {
        return Set.copyOf(assigned);
    }

    void stop() {
        stopping = true;
    }

    /** Unblocks a poll so that the thread notices {@link #stop()} at once. */
    void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void run() {
        Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
        TransactionalBatch<K, V> tx = options.guarantee() == DeliveryGuarantee.EXACTLY_ONCE
                ? new TransactionalBatch<>(this, consumer, producer, handler, options, deadLetterTopic) : null;
        try {
            if (tx != null) {
                producer.initTransactions();
            }
            consumer.subscribe(List.of(topicName), new Listener(handled));
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                switch (options.guarantee()) {
                    case AT_MOST_ONCE -> {
                        consumer.commitSync(nextOffsets(records));
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            process(r, new ArrayList<>());
                        }
                    }
                    case AT_LEAST_ONCE -> {
                        List<CompletableFuture<?>> pending = new ArrayList<>();
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            process(r, pending);
                            handled.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                        }
                        // Follow-ups and dead letters must be acknowledged before their cause's offset is committed;
                        // flush first, since lingering for more records while we wait for these only adds latency.
                        if (!pending.isEmpty()) {
                            producer.flush();
                        }
                        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
                        consumer.commitSync(handled);
                        handled.clear();
                    }
                    case EXACTLY_ONCE -> tx.process(records);
                }
            }
        } catch (WakeupException | InterruptException e) {
            Thread.interrupted(); // clear the flag so that the final commit and close can talk to the broker
        } catch (Stopped e) {
            Thread.interrupted();
        } catch (RuntimeException e) {
            LOG.error("{} stopped after an unexpected error; its uncommitted messages go to other group members: {}",
                    name, e.toString(), e);
        } finally {
            if (!handled.isEmpty()) {
                producer.flush(); // follow-ups of handled messages first, then their offsets
                commitQuietly(handled);
            }
            closeQuietly();
        }
    }

    /** Handles one record with in-place retries, then dead-letters it (at-most-once and at-least-once). */
    private void process(ConsumerRecord<byte[], byte[]> r, List<CompletableFuture<?>> pending) {
        Message<K, V> message;
        MessageHandler<K, V> h;
        try {
            message = handler.decode(r);
            h = handler.handlerFor(message);
        } catch (RuntimeException e) {
            deadLetter(r, e, 1, pending);
            return;
        }
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            try {
                handler.run(h, message, attempt, producer, pending);
                config.metrics().handled(topicName, options.groupId(), System.nanoTime() - start);
                return;
            } catch (InterruptedException e) {
                throw new Stopped();
            } catch (Exception e) {
                config.metrics().handlerFailed(topicName, options.groupId(), attempt);
                if (attempt >= options.retry().maxAttempts() || !options.retry().isRetriable(e)) {
                    deadLetter(r, e, attempt, pending);
                    return;
                }
                LOG.debug("{}: attempt {} of {} failed: {}", name, attempt, message.coordinates(), e.toString());
                sleep(options.retry().backoff(attempt));
            }
        }
    }

    void deadLetter(ConsumerRecord<byte[], byte[]> r, Throwable error, int attempts, List<CompletableFuture<?>> pending) {
        LOG.warn("{}: {}-{}@{} goes to dead-letter topic '{}' after {} attempt(s): {}", name, r.topic(),
                r.partition(), r.offset(), deadLetterTopic, attempts, error.toString());
        CompletableFuture<Object> sent = new CompletableFuture<>();
        producer.send(DeadLetterWriter.record(deadLetterTopic, options.groupId(), r, error, attempts), (md, e) -> {
            if (e == null) {
                sent.complete(md);
            } else {
                sent.completeExceptionally(e);
            }
        });
        pending.add(sent);
        config.metrics().deadLettered(r.topic(), options.groupId());
    }

    void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            throw new Stopped();
        }
    }

    boolean stopping() {
        return stopping;
    }

    static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            next.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return next;
    }

    private void commitQuietly(Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                consumer.commitSync(offsets, Duration.ofSeconds(10));
                return;
            } catch (WakeupException e) {
                // close() woke the consumer after its last poll; a wakeup cancels one call only, so try again.
            } catch (KafkaException e) {
                LOG.warn("{}: could not commit {} on shutdown; they will be redelivered: {}", name, offsets, e.toString());
                return;
            }
        }
    }

    private void closeQuietly() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        } catch (KafkaException e) {
            LOG.warn("{}: consumer close failed: {}", name, e.toString());
        }
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (KafkaException e) {
            LOG.warn("{}: producer close failed: {}", name, e.toString());
        }
        assigned.clear();
    }

    /** Thrown to unwind a worker that was interrupted by {@code close}. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        private final Map<TopicPartition, OffsetAndMetadata> handled;

        Listener(Map<TopicPartition, OffsetAndMetadata> handled) {
            this.handled = handled;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = handled.remove(tp);
                if (o != null) {
                    mine.put(tp, o);
                }
            }
            if (!mine.isEmpty()) {
                commitQuietly(mine);
            }
            assigned.removeAll(new HashSet<>(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            firstAssignment.countDown();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            handled.keySet().removeAll(partitions);
            assigned.removeAll(new HashSet<>(partitions));
        }
    }
}
