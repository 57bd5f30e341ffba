package io.courier.eventsourcing.internal;

import io.courier.eventsourcing.EventOffset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The command processor's transactional producer, which puts the offsets of a command's events into its acceptance
 * without leaving the transaction.
 *
 * <p>Kafka Streams does not tell a processor the offsets of the records it forwards, and the broker assigns them only
 * when it appends the batch. So the command node marks a command's events and its reply with one token; this producer
 * sends the events at once, holds the reply, and before the transaction commits (at Kafka Streams' flush or at
 * {@code sendOffsetsToTransaction}) waits for the events' acknowledgements, writes their offsets into the reply and
 * sends it, still inside the transaction. The reply becomes visible to a {@code read_committed} requester at the
 * commit, as before; waiting for the events adds one produce round trip to each commit. The tokens are removed from
 * every record before it is sent.
 *
 * <p>Used by one stream thread at a time, like the producer it wraps; its methods are synchronized all the same.
 */
final class OffsetStampingProducer implements Producer<byte[], byte[]> {
    /** On an event: the token of the command that appended it. */
    static final String EVENT_TOKEN = "courier-internal-event-of";
    /** On an acceptance: the token of its command's events. */
    static final String REPLY_TOKEN = "courier-internal-reply-of";

    private final Producer<byte[], byte[]> delegate;
    private final BiFunction<byte[], List<EventOffset>, byte[]> stamp;
    private final Map<String, List<Future<RecordMetadata>>> appended = new HashMap<>();
    private final List<Held> held = new ArrayList<>();

    private record Held(String token, ProducerRecord<byte[], byte[]> record, Callback callback,
            CompletableFuture<RecordMetadata> result) {}

    /**
     * @param delegate the transactional producer
     * @param stamp    writes the offsets into a reply's value
     */
    OffsetStampingProducer(Producer<byte[], byte[]> delegate, BiFunction<byte[], List<EventOffset>, byte[]> stamp) {
        this.delegate = delegate;
        this.stamp = stamp;
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        String event = token(record, EVENT_TOKEN);
        String reply = token(record, REPLY_TOKEN);
        if (event != null) {
            Future<RecordMetadata> sent = delegate.send(without(record, EVENT_TOKEN), callback);
            appended.computeIfAbsent(event, t -> new ArrayList<>()).add(sent);
            return sent;
        }
        if (reply != null) {
            CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
            held.add(new Held(reply, without(record, REPLY_TOKEN), callback, result));
            return result;
        }
        return delegate.send(record, callback);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    /**
     * Sends the held replies with their events' offsets; the events must be acknowledged first, hence the flush. If
     * any record of the transaction failed, sends none: Kafka Streams has seen the failure through that record's
     * callback and aborts the transaction, and the producer would refuse further sends anyway.
     */
    private void release() {
        if (held.isEmpty()) {
            return;
        }
        try {
            delegate.flush();
            List<List<EventOffset>> offsets = new ArrayList<>(held.size());
            for (Held h : held) {
                List<EventOffset> of = new ArrayList<>();
                for (Future<RecordMetadata> f : appended.getOrDefault(h.token(), List.of())) {
                    RecordMetadata m = f.get();
                    of.add(new EventOffset(m.topic(), m.partition(), m.offset()));
                }
                offsets.add(of);
            }
            for (int i = 0; i < held.size(); i++) {
                send(held.get(i), offsets.get(i));
            }
        } catch (ExecutionException e) {
            fail(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        } finally {
            forget();
        }
    }

    private void send(Held h, List<EventOffset> offsets) {
        ProducerRecord<byte[], byte[]> r = h.record();
        ProducerRecord<byte[], byte[]> stamped = new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(),
                r.key(), stamp.apply(r.value(), offsets), r.headers());
        Callback done = (metadata, error) -> {
            if (h.callback() != null) {
                h.callback().onCompletion(metadata, error);
            }
            if (error == null) {
                h.result().complete(metadata);
            } else {
                h.result().completeExceptionally(error);
            }
        };
        try {
            delegate.send(stamped, done);
        } catch (RuntimeException e) {
            // Through the callback, as Kafka Streams expects send errors, so that it aborts and retries the
            // transaction instead of losing its thread to an exception it does not catch here.
            done.onCompletion(null, e);
        }
    }

    /** Tells Kafka Streams, through each held reply's callback, that the transaction cannot commit. */
    private void fail(Throwable cause) {
        Exception e = cause instanceof Exception ex ? ex : new org.apache.kafka.common.KafkaException(cause);
        for (Held h : held) {
            if (h.callback() != null) {
                h.callback().onCompletion(null, e);
            }
            h.result().completeExceptionally(e);
        }
    }

    private void forget() {
        held.clear();
        appended.clear();
    }

    private static String token(ProducerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static ProducerRecord<byte[], byte[]> without(ProducerRecord<byte[], byte[]> record, String name) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            if (!h.key().equals(name)) {
                headers.add(h);
            }
        }
        return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                record.value(), headers);
    }

    @Override
    public synchronized void flush() {
        if (held.isEmpty()) {
            delegate.flush();
            return;
        }
        release(); // flushes the events first
        delegate.flush();
    }

    @Override
    public synchronized void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata groupMetadata) {
        release();
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public synchronized void commitTransaction() {
        release();
        delegate.commitTransaction();
        forget();
    }

    @Override
    public synchronized void abortTransaction() {
        forget();
        delegate.abortTransaction();
    }

    @Override
    public synchronized void beginTransaction() {
        forget();
        delegate.beginTransaction();
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }
}
