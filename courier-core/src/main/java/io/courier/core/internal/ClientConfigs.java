package io.courier.core.internal;

import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.Partitioning;
import io.courier.core.PublisherOptions;
import io.courier.core.SubscriberOptions;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Builds complete Kafka client configs from Courier's options, then checks them against the guarantee. */
final class ClientConfigs {
    private ClientConfigs() {}

    static Map<String, Object> admin(CourierConfig config) {
        Map<String, Object> m = config.kafkaClientConfig();
        m.put("client.id", config.serviceName() + "-admin");
        // Admin calls (describe, create) answer within the connect timeout. Kafka's admin client refuses a
        // default.api.timeout.ms below request.timeout.ms, so a value the user chose for one bounds the other.
        long connect = config.connectTimeout().toMillis();
        Object request = m.get("request.timeout.ms");
        Object api = m.get("default.api.timeout.ms");
        Long requestMs = millis(request);
        Long apiMs = millis(api);
        if (request == null) {
            m.put("request.timeout.ms", Long.toString(apiMs == null ? connect : Math.min(connect, apiMs)));
        }
        if (api == null) {
            m.put("default.api.timeout.ms", Long.toString(requestMs == null ? connect : Math.max(connect, requestMs)));
        }
        return m;
    }

    /** @return the value as milliseconds, or null if absent or not a number (Kafka then names it) */
    static Long millis(Object value) {
        try {
            return value == null ? null : Long.valueOf(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Map<String, Object> publisher(CourierConfig config, String topic, PublisherOptions o) {
        Map<String, Object> m = config.kafkaClientConfig();
        m.put("client.id", config.serviceName() + "-publisher-" + topic);
        switch (o.guarantee()) {
            case AT_MOST_ONCE -> {
                m.put("acks", "0");
                m.put("retries", "0");
                m.put("enable.idempotence", "false");
            }
            case AT_LEAST_ONCE -> {
                m.put("acks", "all");
                m.put("enable.idempotence", "true");
            }
            case EXACTLY_ONCE -> {
                m.put("acks", "all");
                m.put("enable.idempotence", "true");
                m.put("transactional.id", o.transactionalId()
                        .orElse(config.serviceName() + "-" + topic + "-" + UUID.randomUUID()));
            }
        }
        m.put("compression.type", o.compression().kafkaName());
        m.put("batch.size", Integer.toString(o.batchSizeBytes()));
        m.put("linger.ms", Long.toString(o.linger().toMillis()));
        if (o.partitioning() == Partitioning.ROUND_ROBIN) {
            m.put("partitioner.class", KeyedRoundRobinPartitioner.class.getName());
        }
        m.putAll(o.producerProperties());
        DeliveryCheck.publisher(topic, o.guarantee(), m);
        return m;
    }

    /** The producer a subscriber's thread uses for follow-up messages and dead letters. */
    static Map<String, Object> subscriberProducer(CourierConfig config, String topic, SubscriberOptions o,
            String instanceId, int thread) {
        Map<String, Object> m = config.kafkaClientConfig();
        String id = config.serviceName() + "-" + o.groupId() + "-" + topic + "-" + instanceId + "-" + thread;
        m.put("client.id", id + "-producer");
        m.put("acks", "all");
        m.put("enable.idempotence", "true");
        m.put("linger.ms", "5");
        if (o.guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            // Stable per instance and thread: a restarted instance with the same id fences its killed predecessor
            // at once instead of waiting for the predecessor's transaction to time out.
            m.put("transactional.id", id);
            m.putIfAbsent("transaction.timeout.ms", "30000");
        }
        return m;
    }

    static Map<String, Object> subscriber(CourierConfig config, String topic, SubscriberOptions o, String instanceId,
            int thread) {
        Map<String, Object> m = config.kafkaClientConfig();
        m.put("client.id", config.serviceName() + "-" + o.groupId() + "-" + topic + "-" + instanceId + "-" + thread);
        m.put("group.id", o.groupId());
        m.put("group.protocol", o.groupProtocol().name().toLowerCase(Locale.ROOT));
        m.put("enable.auto.commit", "false");
        m.put("auto.offset.reset", o.fromBeginning() ? "earliest" : "latest");
        m.put("max.poll.records", Integer.toString(o.maxPollRecords()));
        // Never hand aborted transactional records to a handler, whatever the guarantee.
        m.put("isolation.level", "read_committed");
        m.putAll(o.consumerProperties());
        if (m.get("group.instance.id") != null) {
            // One static member per thread: threads sharing an id would fence each other.
            m.put("group.instance.id", m.get("group.instance.id") + "-" + thread);
        }
        DeliveryCheck.subscriber(topic, o, m);
        return m;
    }
}
