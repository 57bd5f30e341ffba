package io.courier.core.internal;

import io.courier.core.Message;
import io.courier.core.MessageHandler;
import io.courier.core.SubscriberOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once for one polled batch: every follow-up message, every dead letter and the consumed offsets go into
 * one Kafka transaction. A failing handler aborts the transaction and the batch is polled again after the backoff,
 * so the output of earlier attempts is never visible; after the last attempt the message goes to the dead-letter
 * topic inside the transaction.
 */
final class TransactionalBatch<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalBatch.class);

    private final SubscriberWorker<K, V> worker;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final RecordHandler<K, V> handler;
    private final SubscriberOptions options;
    private final String deadLetterTopic;
    /** Failed attempts so far, by record, across aborted rounds of the same batch. */
    private final Map<String, Integer> failures = new HashMap<>();

    TransactionalBatch(SubscriberWorker<K, V> worker, Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer, RecordHandler<K, V> handler, SubscriberOptions options,
            String deadLetterTopic) {
        this.worker = worker;
        this.consumer = consumer;
        this.producer = producer;
        this.handler = handler;
        this.options = options;
        this.deadLetterTopic = deadLetterTopic;
    }

    void process(ConsumerRecords<byte[], byte[]> records) {
        producer.beginTransaction();
        Duration retryAfter = null;
        try {
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                retryAfter = handle(r, pending);
                if (retryAfter != null) {
                    break;
                }
            }
            if (retryAfter == null) {
                producer.sendOffsetsToTransaction(SubscriberWorker.nextOffsets(records), consumer.groupMetadata());
                producer.commitTransaction();
                records.forEach(r -> failures.remove(key(r)));
                return;
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            // Another instance took over this producer's transactional id or partitions: this one is a zombie.
            throw e;
        } catch (KafkaException e) {
            LOG.warn("{}: transaction failed and is aborted; the batch is consumed again: {}", worker.name, e.toString());
        }
        producer.abortTransaction();
        rewind(records);
        if (retryAfter != null) {
            worker.sleep(retryAfter);
        }
    }

    /** @return null when the record is done, or the backoff before the batch is tried again */
    private Duration handle(ConsumerRecord<byte[], byte[]> r, List<CompletableFuture<?>> pending) {
        int failed = failures.getOrDefault(key(r), 0);
        Message<K, V> message;
        MessageHandler<K, V> h;
        try {
            message = handler.decode(r);
            h = handler.handlerFor(message);
        } catch (RuntimeException e) {
            worker.deadLetter(r, e, 1, pending);
            return null;
        }
        try {
            handler.run(h, message, failed + 1, producer, pending);
            return null;
        } catch (InterruptedException e) {
            throw new SubscriberWorker.Stopped();
        } catch (Exception e) {
            int attempts = failed + 1;
            if (attempts >= options.retry().maxAttempts() || !options.retry().isRetriable(e)) {
                // The aborted rounds left no trace; the dead letter is written in this round's transaction.
                worker.deadLetter(r, e, attempts, pending);
                return null;
            }
            failures.put(key(r), attempts);
            return options.retry().backoff(attempts);
        }
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, new OffsetAndMetadata(records.records(tp).get(0).offset()));
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.partition() + "@" + r.offset();
    }
}
