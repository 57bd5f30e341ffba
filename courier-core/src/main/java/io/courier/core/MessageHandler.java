package io.courier.core;

/**
 * Handles one consumed message. Called on a subscriber thread; messages of one partition are handled one at a
 * time, in order. An exception means "failed": the subscriber retries, then dead-letters the message. So do the
 * errors of handler code ({@code StackOverflowError}, {@code LinkageError}, {@code AssertionError}); the JVM's own,
 * such as {@code OutOfMemoryError}, stop the consumer thread.
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
