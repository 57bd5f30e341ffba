package io.courier.requestreply;

import io.courier.core.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Answers requests. The returned stage may complete later, on any thread (an asynchronous answer); completing it
 * exceptionally, or throwing, sends a {@link Reply.Failure} with the exception's class and message. The JVM's own
 * errors (an {@code OutOfMemoryError}) are not answered: they stop the responder's consumer thread.
 *
 * @param <K> the request key type
 * @param <Q> the request payload type
 * @param <R> the reply type
 */
@FunctionalInterface
public interface RequestHandler<K, Q, R> {

    /**
     * @param request the request, with its envelope
     * @return the reply, now or later
     * @throws Exception to answer with a failure
     */
    CompletionStage<R> handle(Message<K, Q> request) throws Exception;

    /**
     * A handler that answers on the calling thread.
     *
     * @param handler computes the reply; may throw to answer with a failure
     * @param <K>     the request key type
     * @param <Q>     the request payload type
     * @param <R>     the reply type
     * @return the handler
     */
    static <K, Q, R> RequestHandler<K, Q, R> sync(Function<Message<K, Q>, R> handler) {
        return request -> CompletableFuture.completedFuture(handler.apply(request));
    }
}
