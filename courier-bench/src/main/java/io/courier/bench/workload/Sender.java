package io.courier.bench.workload;

import io.courier.bench.Client;
import io.courier.core.Courier;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.Publisher;
import io.courier.core.PublisherOptions;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One producer writing to one topic, through Courier or through a raw {@link KafkaProducer} with the same Kafka
 * settings. For exactly-once, both commit one transaction per {@link #TRANSACTION_SIZE} messages. Used by one
 * thread.
 */
abstract sealed class Sender implements AutoCloseable permits Sender.ViaCourier, Sender.Raw {
    static final int TRANSACTION_SIZE = 100;

    /** Called once per message with the send's error, or null when acknowledged. */
    interface Ack {
        void done(Exception error);
    }

    private record Pending(String key, byte[] value, Ack ack) {}

    private final List<Pending> transaction = new ArrayList<>();
    final boolean transactional;

    Sender(Workload w) {
        this.transactional = w.delivery() == Delivery.EXACTLY_ONCE;
    }

    static Sender create(Client client, Workload w, Courier courier, Topic<String, byte[]> topic,
            Map<String, String> clientProperties, String transactionalId) {
        return client == Client.COURIER ? new ViaCourier(w, courier, topic, transactionalId)
                : new Raw(w, courier.config().bootstrapServers(), clientProperties, topic.name(), transactionalId);
    }

    final void send(String key, byte[] value, Ack ack) {
        if (!transactional) {
            sendNow(key, value, ack);
            return;
        }
        transaction.add(new Pending(key, value, ack));
        if (transaction.size() >= TRANSACTION_SIZE) {
            commit();
        }
    }

    final void flush() {
        if (transactional && !transaction.isEmpty()) {
            commit();
        }
        flushNow();
    }

    private void commit() {
        List<Pending> batch = new ArrayList<>(transaction);
        transaction.clear();
        inTransaction(() -> batch.forEach(p -> sendNow(p.key(), p.value(), p.ack())));
    }

    abstract void sendNow(String key, byte[] value, Ack ack);

    abstract void inTransaction(Runnable sends);

    abstract void flushNow();

    @Override
    public abstract void close();

    /** The Kafka settings both clients share. */
    static Map<String, Object> producerSettings(Workload w) {
        Map<String, Object> m = new HashMap<>();
        m.put("acks", w.delivery().acks());
        boolean safe = w.delivery() == Delivery.ACKS_ALL || w.delivery() == Delivery.EXACTLY_ONCE;
        m.put("enable.idempotence", Boolean.toString(safe));
        if (!safe) {
            m.put("retries", "0");
        }
        m.put("compression.type", w.compression().kafkaName());
        m.put("batch.size", Integer.toString(w.batchSize()));
        m.put("linger.ms", Integer.toString(w.lingerMs()));
        return m;
    }

    static final class ViaCourier extends Sender {
        private final Publisher<String, byte[]> publisher;

        ViaCourier(Workload w, Courier courier, Topic<String, byte[]> topic, String transactionalId) {
            super(w);
            PublisherOptions.Builder o = PublisherOptions.builder().guarantee(w.delivery().guarantee())
                    .compression(w.compression()).batchSize(w.batchSize()).linger(Duration.ofMillis(w.lingerMs()));
            if (w.delivery() == Delivery.ACKS_1) {
                o.producerProperty("acks", "1");
            }
            if (w.delivery().guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
                o.transactionalId(transactionalId);
            }
            this.publisher = courier.publisher(topic, o.build());
        }

        @Override
        void sendNow(String key, byte[] value, Ack ack) {
            publisher.publish(key, value).whenComplete((r, e) -> ack.done(e == null ? null
                    : e instanceof Exception x ? x : new IllegalStateException(e)));
        }

        @Override
        void inTransaction(Runnable sends) {
            publisher.inTransaction(p -> sends.run());
        }

        @Override
        void flushNow() {
            publisher.flush();
        }

        @Override
        public void close() {
            publisher.close();
        }
    }

    static final class Raw extends Sender {
        private final KafkaProducer<String, byte[]> producer;
        private final String topic;

        Raw(Workload w, String bootstrapServers, Map<String, String> clientProperties, String topic,
                String transactionalId) {
            super(w);
            Map<String, Object> c = new HashMap<>(clientProperties);
            c.put("bootstrap.servers", bootstrapServers);
            c.putAll(producerSettings(w));
            if (transactional) {
                c.put("transactional.id", transactionalId);
            }
            this.producer = new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
            this.topic = topic;
            if (transactional) {
                try {
                    producer.initTransactions();
                } catch (RuntimeException e) { // as Courier's publisher does: no producer left behind
                    producer.close(Duration.ZERO);
                    throw e;
                }
            }
        }

        @Override
        void sendNow(String key, byte[] value, Ack ack) {
            producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> ack.done(e));
        }

        @Override
        void inTransaction(Runnable sends) {
            producer.beginTransaction();
            sends.run();
            producer.commitTransaction();
        }

        @Override
        void flushNow() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
