package io.courier.core;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Creates the Kafka clients Courier uses, from complete config maps. Replace it to wrap or instrument the clients.
 * Implementations must be thread-safe.
 */
public interface ClientFactory {

    /** @param config producer config @return a byte-array producer */
    Producer<byte[], byte[]> producer(Map<String, Object> config);

    /** @param config consumer config @return a byte-array consumer */
    Consumer<byte[], byte[]> consumer(Map<String, Object> config);

    /** @param config admin config @return an admin client */
    Admin admin(Map<String, Object> config);

    /** @return the factory that creates plain {@code kafka-clients} instances */
    static ClientFactory kafka() {
        return new ClientFactory() {
            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> config) {
                return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            }

            @Override
            public Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
                return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }

            @Override
            public Admin admin(Map<String, Object> config) {
                return Admin.create(config);
            }
        };
    }
}
