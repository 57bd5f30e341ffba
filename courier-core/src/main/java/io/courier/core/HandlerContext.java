package io.courier.core;

import java.util.concurrent.CompletableFuture;

/**
 * What a handler may do besides reading its message: publish follow-up messages that continue the flow. Their
 * envelope carries the consumed message's correlation id, its message id as causation id, and its
 * {@code traceparent}. In an {@link DeliveryGuarantee#EXACTLY_ONCE} subscriber they are part of the transaction
 * that commits the consumed offset. Valid only during the {@link MessageHandler#handle} call: the message is
 * committed once the follow-ups published by then are acknowledged, so a later one could be lost in a crash. Not
 * thread-safe: publish from the handler's thread, or from threads it waits for before it returns.
 */
public interface HandlerContext {

    /** @return which attempt this is, 1 for the first */
    int attempt();

    /**
     * Publishes a follow-up message.
     *
     * @param topic the target topic's declaration
     * @param key   the key, or {@code null}
     * @param value the value
     * @param <K>   the key type
     * @param <V>   the value type
     * @return the future acknowledgement (in a transaction: completes when the record is sent; it is visible to
     *     {@code read_committed} readers once the transaction commits)
     * @throws IllegalStateException if {@code handle} has returned
     */
    <K, V> CompletableFuture<PublishResult> publish(Topic<K, V> topic, K key, V value);

    /**
     * Publishes a follow-up message with extra headers, a chosen partition, or its own flow ids; the ids and trace
     * context it does not set come from the consumed message, as for {@link #publish(Topic, Object, Object)}.
     *
     * @param topic   the target topic's declaration
     * @param message the message
     * @param <K>     the key type
     * @param <V>     the value type
     * @return the future acknowledgement
     * @throws io.courier.core.SerdeException if the message cannot be serialized (nothing is sent)
     * @throws IllegalStateException if {@code handle} has returned
     */
    <K, V> CompletableFuture<PublishResult> publish(Topic<K, V> topic, OutboundMessage<K, V> message);
}
