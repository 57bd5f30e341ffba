package io.courier.core;

/**
 * Handles one consumed message. Called on a subscriber thread; messages of one partition are handled one at a
 * time, in order. An exception means "failed": the subscriber retries, then dead-letters the message.
 *
 * @param <K> the key type
 * @param <V> the value type this handler accepts
 */
@FunctionalInterface
public interface MessageHandler<K, V> {

    /**
     * @param message the message
     * @param context publishes follow-up messages that continue the flow
     * @throws Exception to fail this attempt
     */
    void handle(Message<K, V> message, HandlerContext context) throws Exception;
}
