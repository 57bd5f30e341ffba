package io.courier.bench;

import io.courier.core.ClientFactory;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Plain kafka-clients, keeping the first producer created so that its metrics can be read: each round creates its
 * publisher before anything else that might produce (a subscriber's dead-letter writer). Thread-safe.
 */
final class ProducerCapture implements ClientFactory {
    private final ClientFactory kafka = ClientFactory.kafka();
    private Producer<byte[], byte[]> producer;

    /** @return the first producer created, or null before any */
    synchronized Producer<byte[], byte[]> producer() {
        return producer;
    }

    @Override
    public Producer<byte[], byte[]> producer(Map<String, Object> config) {
        Producer<byte[], byte[]> p = kafka.producer(config);
        synchronized (this) {
            if (producer == null) {
                producer = p;
            }
        }
        return p;
    }

    @Override
    public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
        return kafka.consumer(config);
    }

    @Override
    public Admin admin(Map<String, Object> config) {
        return kafka.admin(config);
    }

    /** @return the producer's {@code records-per-request-avg}: how many records each produce request carried */
    static double recordsPerRequest(Producer<?, ?> producer) {
        return metric(producer, "records-per-request-avg");
    }

    /** @return the producer's {@code record-size-avg}: bytes per record in its batches, headers included */
    static double recordSize(Producer<?, ?> producer) {
        return metric(producer, "record-size-avg");
    }

    private static double metric(Producer<?, ?> producer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            if (e.getKey().group().equals("producer-metrics") && e.getKey().name().equals(name)) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return Double.NaN;
    }
}
