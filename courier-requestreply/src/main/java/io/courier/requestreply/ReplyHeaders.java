package io.courier.requestreply;

/**
 * Header names of request-reply records, next to Courier's envelope. A request carries its correlation id in the
 * envelope (the seventh field of the compact {@code courier-envelope} header, or {@code ce_correlationid} in the
 * CloudEvents format; absent on a flow's first message, whose correlation id is its message id) and where to
 * answer here; a reply carries the same correlation id and its status. Plain Kafka clients can
 * take part by reading and writing these headers and the envelope.
 */
public final class ReplyHeaders {
    /** On a request: the topic to write the reply to. */
    public static final String REPLY_TOPIC = "courier-reply-topic";
    /** On a request: the partition of the reply topic that the requester instance reads. */
    public static final String REPLY_PARTITION = "courier-reply-partition";
    /** On a request: the caller's deadline, epoch milliseconds; a responder does not answer after it. */
    public static final String DEADLINE = "courier-deadline";
    /** On a reply: {@link #SUCCESS} or {@link #FAILURE}. */
    public static final String STATUS = "courier-reply-status";
    /** The {@link #STATUS} of an answer. */
    public static final String SUCCESS = "success";
    /** The {@link #STATUS} of a handler's error. */
    public static final String FAILURE = "failure";
    /** On a failure reply: the responder's exception class. The reply's value is the exception's message, as text. */
    public static final String ERROR_TYPE = "courier-error-type";
    /**
     * On a reply: the consumer group of the responder that wrote it. Scatter-gather counts one reply per group, so
     * a request that a group handled twice (redelivered after a responder crashed) is not counted twice.
     */
    public static final String RESPONDER_GROUP = "courier-responder-group";

    private ReplyHeaders() {}
}
