package io.courier.core;

import io.courier.core.internal.DefaultCourier;
import org.apache.kafka.clients.admin.Admin;

/**
 * The entry point: one per service and cluster. Declares topics, and creates publishers and subscribers that share
 * its configuration. Thread-safe.
 *
 * <pre>{@code
 * try (Courier courier = Courier.connect(CourierConfig.builder("localhost:9092").serviceName("billing").build())) {
 *     courier.provision(ORDERS);
 *     Publisher<String, OrderEvent> orders = courier.publisher(ORDERS);
 *     orders.publishAndWait("order-1", new OrderPlaced("order-1", 42));
 *     Subscriber billing = courier.subscriber(ORDERS, SubscriberOptions.builder("billing").build(),
 *             Handlers.<String, OrderEvent>builder().on(OrderPlaced.class, (msg, ctx) -> bill(msg.value())).build())
 *         .start();
 * }
 * }</pre>
 */
public interface Courier extends AutoCloseable {

    /**
     * Connects and checks that the cluster answers.
     *
     * @param config how to reach the cluster
     * @return a connected instance
     * @throws io.courier.common.CourierRetriableException if the cluster does not answer within the connect
     *     timeout; the message names the bootstrap servers
     * @throws IllegalArgumentException if Kafka refuses a client setting; the message names it
     * @throws io.courier.common.CourierException if the client cannot log in while it is built (Kerberos, OAuth),
     *     or the cluster refuses its authentication (a wrong SASL password, a TLS handshake it refuses), with
     *     Kafka's reasons; not retriable, as Kafka classes authentication failures (a SCRAM user created a moment
     *     ago may still be unknown to the brokers: retry such a start yourself)
     */
    static Courier connect(CourierConfig config) {
        return DefaultCourier.connect(config);
    }

    /** @return the configuration */
    CourierConfig config();

    /**
     * Creates the topics that do not exist, as declared. Existing topics are compared with their declarations and
     * never changed.
     *
     * @param topics the declarations
     * @throws io.courier.common.CourierException listing every difference (partition count, replication factor,
     *     topic configs) between an existing topic and its declaration
     */
    void provision(Topic<?, ?>... topics);

    /**
     * @param topic   the topic; it must exist
     * @param options how to deliver
     * @param <K>     the key type
     * @param <V>     the value type
     * @return a publisher, ready to use
     * @throws io.courier.common.CourierException if the topic does not exist, or the options contradict the
     *     guarantee (the message names both settings)
     */
    <K, V> Publisher<K, V> publisher(Topic<K, V> topic, PublisherOptions options);

    /**
     * @param topic the topic; it must exist
     * @param <K>   the key type
     * @param <V>   the value type
     * @return an at-least-once publisher with default options
     */
    default <K, V> Publisher<K, V> publisher(Topic<K, V> topic) {
        return publisher(topic, PublisherOptions.defaults());
    }

    /**
     * Creates a subscriber; call {@link Subscriber#start()} to begin consuming.
     *
     * @param topic    the topic; it must exist
     * @param options  how to consume
     * @param handlers the handlers
     * @param <K>      the key type
     * @param <V>      the value type
     * @return a subscriber, not yet started
     * @throws io.courier.common.CourierException if the topic does not exist, the concurrency exceeds its partition
     *     count, or the options contradict the guarantee (the message names both settings)
     */
    <K, V> Subscriber subscriber(Topic<K, V> topic, SubscriberOptions options, Handlers<K, V> handlers);

    /**
     * Moves dead letters back to the topics they failed on, rate-limited, optionally correcting them on the way.
     * Each record is acknowledged on its original topic before its dead-letter offset is committed, so a crashed
     * replay resumes without losing one. Records that are not Courier dead letters are left in place, reported in
     * the result and the log, and moved past.
     *
     * @param deadLetterTopic the dead-letter topic
     * @param options         rate, limit, correction
     * @return how many records were replayed, skipped by the correction, and not readable as dead letters
     */
    ReplayResult replayDeadLetters(String deadLetterTopic, ReplayOptions options);

    /** @return the shared admin client, closed with this instance */
    Admin admin();

    /** Closes the admin client. Publishers and subscribers are closed by their owners. Idempotent. */
    @Override
    void close();
}
