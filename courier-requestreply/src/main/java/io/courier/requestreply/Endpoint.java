package io.courier.requestreply;

import io.courier.core.Serde;
import io.courier.core.Topic;
import java.util.Objects;

/**
 * A request-reply interaction declared once and shared by requesters and responders: the topic that carries the
 * requests (with their key and payload types) and the serde of the replies.
 *
 * @param requests the request topic
 * @param replies  how replies are serialized
 * @param <K>      the request key type
 * @param <Q>      the request payload type
 * @param <R>      the reply type
 */
public record Endpoint<K, Q, R>(Topic<K, Q> requests, Serde<R> replies) {

    public Endpoint {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(replies, "replies");
    }

    /**
     * @param requests the request topic
     * @param replies  the reply serde
     * @param <K>      the request key type
     * @param <Q>      the request payload type
     * @param <R>      the reply type
     * @return the endpoint
     */
    public static <K, Q, R> Endpoint<K, Q, R> of(Topic<K, Q> requests, Serde<R> replies) {
        return new Endpoint<>(requests, replies);
    }

    /** @return the request topic's name */
    public String name() {
        return requests.name();
    }
}
