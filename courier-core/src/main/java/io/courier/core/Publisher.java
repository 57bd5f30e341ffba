package io.courier.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Publishes typed messages to one topic. Thread-safe: share one publisher per topic in a service.
 *
 * <p>Messages with the same key go to the same partition and keep their order. The returned futures complete
 * when the broker has acknowledged the message as the {@link DeliveryGuarantee} requires, and complete
 * exceptionally with a {@link io.courier.common.CourierException} naming the topic and key otherwise. They complete
 * on the producer's I/O thread, which also runs the stages chained without {@code ...Async}: such a stage must not
 * wait for this publisher ({@link #publishAndWait}, {@link #flush}, an exactly-once publish), which would stop the
 * thread that is to end the wait; those calls throw {@link IllegalStateException} there.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface Publisher<K, V> extends AutoCloseable {

    /** @return the topic this publisher writes to */
    Topic<K, V> topic();

    /**
     * Publishes a keyed message.
     *
     * @param key   the key; {@code null} spreads messages over partitions
     * @param value the value
     * @return the future acknowledgement
     * @throws SerdeException if the key or value cannot be serialized (nothing is sent)
     * @throws IllegalStateException if the publisher is closed
     */
    default CompletableFuture<PublishResult> publish(K key, V value) {
        return publish(OutboundMessage.of(key, value));
    }

    /**
     * Publishes without a future per message: the fastest path, for streams whose caller does not need each
     * acknowledgement. A message the broker does not acknowledge is reported to the metrics and the log, and the
     * next {@link #flush()} or {@link #close()} throws a {@link io.courier.common.CourierException} that counts
     * the failures and names the first, so a caller that flushes loses nothing silently.
     *
     * @param key   the key; {@code null} spreads messages over partitions
     * @param value the value
     * @throws SerdeException if the key or value cannot be serialized (nothing is sent)
     * @throws IllegalStateException if the publisher is closed
     */
    void send(K key, V value);

    /**
     * Publishes a message with extra headers or flow ids.
     *
     * @param message the message
     * @return the future acknowledgement
     * @throws SerdeException if the key or value cannot be serialized (nothing is sent)
     */
    CompletableFuture<PublishResult> publish(OutboundMessage<K, V> message);

    /**
     * Publishes and waits for the acknowledgement.
     *
     * @param key   the key, or {@code null}
     * @param value the value
     * @return where the message was written
     * @throws io.courier.common.CourierException if the message was not acknowledged
     * @throws IllegalStateException in a stage of a publish future (see above)
     */
    PublishResult publishAndWait(K key, V value);

    /**
     * Runs {@code work} in one Kafka transaction: every message it publishes through the given publisher becomes
     * visible to {@code read_committed} readers together, or not at all. Only for
     * {@link DeliveryGuarantee#EXACTLY_ONCE} publishers; outside this method, each {@code publish} of such a
     * publisher is its own transaction. The given publisher may be used from other threads while {@code work}
     * runs (wait for them before returning); afterwards it throws {@link IllegalStateException}. Other threads
     * must use the given one: this publisher, called from another thread, waits for the transaction to end (called
     * from the work's own thread, it joins the transaction). Its futures complete when the broker acknowledges a
     * message, before the commit: whether the messages became visible is what this method's return or exception
     * says.
     *
     * @param work publishes the messages; an exception aborts the transaction and is rethrown
     * @throws IllegalStateException if the publisher is not exactly-once
     * @throws io.courier.common.CourierException if the transaction was aborted, or its commit's outcome is unknown
     *     (the message says which); after an unknown outcome the next call first waits for it
     */
    void inTransaction(Consumer<Publisher<K, V>> work);

    /**
     * Sends every buffered message and waits for the acknowledgements.
     *
     * @throws io.courier.common.CourierException if messages published with {@link #send} since the last flush
     *     were not acknowledged, by any thread: the count is the publisher's; it is reset
     * @throws IllegalStateException in a stage of a publish future (see above)
     */
    void flush();

    /**
     * Flushes, then releases the producer; waits as long as the messages may take, up to the producer's
     * {@code delivery.timeout.ms} each when the cluster is gone, and up to a minute for an exactly-once
     * transaction under way. Idempotent.
     *
     * @throws io.courier.common.CourierException as {@link #flush()} does; the producer is released all the same
     * @see #close(Duration)
     */
    @Override
    void close();

    /**
     * Flushes for at most {@code timeout}, then releases the producer: messages not acknowledged by then fail (their
     * futures complete exceptionally). Idempotent.
     *
     * @param timeout how long to wait for outstanding messages, zero or more
     * @throws io.courier.common.CourierException as {@link #flush()} does, counting the messages cut off by the
     *     timeout too; the producer is released all the same
     * @throws IllegalArgumentException if the timeout is negative
     * @throws IllegalStateException when called on the publisher that {@link #inTransaction} hands its work, or
     *     inside that work; an exactly-once publisher first waits, within the timeout and for at most a minute, for
     *     a transaction under way
     */
    void close(Duration timeout);
}
