package io.courier.core;

import java.util.concurrent.CompletableFuture;

/**
 * What a handler may do and learn besides reading its message: which attempt this is, whether its subscriber is
 * closing, and publish follow-up messages that continue the flow. Their
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
     * Whether the subscriber is closing: {@code close} was called (it may have stopped waiting since). A long-running
     * handler may stop early by throwing {@link InterruptedException}: its message then stays uncommitted and goes to
     * the partition's next owner (under {@link DeliveryGuarantee#AT_MOST_ONCE}, which committed it before handling
     * it, that is a failed attempt like any other). The default, for contexts made outside a subscriber (test
     * doubles), is {@code false}.
     *
     * @return whether {@code close} was called
     */
    default boolean closing() {
        return false;
    }

    /**
     * Whether {@code close(timeout)} gave up waiting for this handler and interrupts its thread: true from just before
     * the interrupt. From then on, whatever the handler throws is taken as that interrupt, not as a failure of the
     * message: it is neither retried nor dead-lettered, and it stays uncommitted for the partition's next owner (under
     * {@link DeliveryGuarantee#AT_MOST_ONCE} it was committed already, and is lost, as in a crash). A handler that
     * turns its failures into messages of its own (a failure reply, say) checks this first, and throws instead. The
     * default, for contexts made outside a subscriber (test doubles), is {@code false}.
     *
     * @return whether close interrupts this handler's thread while it handles this message
     */
    default boolean interruptedByClose() {
        return false;
    }

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
