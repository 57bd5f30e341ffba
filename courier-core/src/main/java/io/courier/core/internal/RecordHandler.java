package io.courier.core.internal;

import io.courier.common.CourierException;
import io.courier.common.JvmErrors;
import io.courier.core.CourierConfig;
import io.courier.core.Envelope;
import io.courier.core.HandlerContext;
import io.courier.core.Handlers;
import io.courier.core.Message;
import io.courier.core.MessageHandler;
import io.courier.core.OutboundMessage;
import io.courier.core.PublishResult;
import io.courier.core.SerdeException;
import io.courier.core.Topic;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;

/** Turns a raw record into a typed {@link Message} and runs its handler once. */
final class RecordHandler<K, V> {
    private final Topic<K, V> topic;
    private final Handlers<K, V> handlers;
    private final CourierConfig config;

    RecordHandler(Topic<K, V> topic, Handlers<K, V> handlers, CourierConfig config) {
        this.topic = topic;
        this.handlers = handlers;
        this.config = config;
    }

    /** @throws SerdeException naming the record's coordinates and the expected type */
    Message<K, V> decode(ConsumerRecord<byte[], byte[]> r) {
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        K key = null;
        if (r.key() != null) {
            try {
                key = topic.keySerde().deserialize(r.key(), null);
            } catch (Throwable e) { // user code's errors too, all but the JVM's own
                JvmErrors.rethrowIfJvms(e);
                throw new SerdeException("cannot deserialize the key of " + where + " as "
                        + topic.keySerde().type().getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        V value = null;
        if (r.value() != null) {
            try {
                value = topic.valueSerde().deserialize(r.value(), EnvelopeCodec.messageType(r.headers()));
            } catch (Throwable e) { // user code's errors too, all but the JVM's own
                JvmErrors.rethrowIfJvms(e);
                throw new SerdeException("cannot deserialize the value of " + where + " as "
                        + topic.valueSerde().type().getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        String type = value == null ? "tombstone" : topic.valueSerde().messageType(value);
        Instant time = Instant.ofEpochMilli(r.timestamp());
        Envelope envelope = EnvelopeCodec.read(r.headers(), where, type, topic.valueSerde().contentType(), time);
        return new Message<>(r.topic(), r.partition(), r.offset(), time, key, value, envelope,
                EnvelopeCodec.userHeaders(r.headers()));
    }

    /** @throws NoHandlerException if no handler accepts the message */
    MessageHandler<K, V> handlerFor(Message<K, V> message) {
        Optional<MessageHandler<K, V>> handler = message.value() == null
                ? handlers.find(null) : handlers.find(message.value());
        return handler.orElseThrow(() -> new NoHandlerException("no handler for message type '"
                + message.envelope().messageType() + "' of " + message.coordinates()
                + "; register one with Handlers.builder().on(...) or .otherwise(...)"));
    }

    /**
     * Runs the handler; follow-up messages go through {@code producer} and their futures into {@code pending}.
     *
     * @throws SendRefused if the handler failed after the producer refused one of its follow-ups outright (whatever
     *     the handler made of the refusal): under exactly-once the transaction failed, not necessarily this record
     */
    void run(MessageHandler<K, V> handler, Message<K, V> message, int attempt, Producer<byte[], byte[]> producer,
            List<CompletableFuture<?>> pending, CloseState close) throws Exception {
        Context context = new Context(message, attempt, producer, pending, close);
        try {
            handler.handle(message, context);
        } catch (Throwable e) { // an Error of handler code too: the refusal, not the record, failed the transaction
            if (context.refused != null && !JvmErrors.isJvms(e)) {
                throw new SendRefused(context.refused, e);
            }
            throw e;
        } finally {
            context.done = true;
        }
    }

    /** What a handler learns of its subscriber's close, through {@link HandlerContext}. */
    interface CloseState {
        /** @see HandlerContext#closing() */
        boolean closing();

        /** @see HandlerContext#interruptedByClose() */
        boolean interruptedByClose();
    }

    /** The producer refused a follow-up when it was sent, and the handler then failed. */
    static final class SendRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient KafkaException refusal;

        SendRefused(KafkaException refusal, Throwable handlerError) {
            super(handlerError.getMessage(), handlerError, false, false);
            this.refusal = refusal;
        }

        /** @return the producer's refusal */
        KafkaException refusal() {
            return refusal;
        }

        /** @return what the handler threw */
        Throwable handlerError() {
            return getCause();
        }
    }

    private final class Context implements HandlerContext {
        private final Message<?, ?> consumed;
        private final Envelope cause;
        private final int attempt;
        private final Producer<byte[], byte[]> producer;
        private final List<CompletableFuture<?>> pending;
        private final CloseState close;
        /** Set when handle() returned: the batch no longer waits for what is published after that. */
        private volatile boolean done;
        /** The first send the producer refused outright (a transaction already failed, say); null if none. */
        private volatile KafkaException refused;

        Context(Message<?, ?> consumed, int attempt, Producer<byte[], byte[]> producer,
                List<CompletableFuture<?>> pending, CloseState close) {
            this.consumed = consumed;
            this.cause = consumed.envelope();
            this.attempt = attempt;
            this.producer = producer;
            this.pending = pending;
            this.close = close;
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public boolean closing() {
            return close.closing();
        }

        @Override
        public boolean interruptedByClose() {
            return close.interruptedByClose();
        }

        @Override
        public <K2, V2> CompletableFuture<PublishResult> publish(Topic<K2, V2> target, K2 key, V2 value) {
            return publish(target, OutboundMessage.of(key, value));
        }

        @Override
        public <K2, V2> CompletableFuture<PublishResult> publish(Topic<K2, V2> target, OutboundMessage<K2, V2> message) {
            if (done) {
                throw new IllegalStateException("a follow-up of " + consumed.coordinates() + " to topic '"
                        + target.name() + "' was published after its handler returned; publish before handle() "
                        + "returns, so that the message is committed only once its follow-ups are acknowledged");
            }
            OutgoingRecords.Outgoing out = OutgoingRecords.build(target, OutgoingRecords.continuing(cause, message),
                    config);
            CompletableFuture<PublishResult> result = new CompletableFuture<>();
            try {
                send(out, target, result);
            } catch (KafkaException e) {
                if (refused == null) {
                    refused = e;
                }
                throw e;
            }
            pending.add(result);
            return result;
        }

        private void send(OutgoingRecords.Outgoing out, Topic<?, ?> target, CompletableFuture<PublishResult> result) {
            producer.send(out.record(), (md, e) -> {
                if (e == null) {
                    result.complete(new PublishResult(md.topic(), md.partition(), md.offset(),
                            Instant.ofEpochMilli(md.timestamp()), out.messageId()));
                } else {
                    result.completeExceptionally(new CourierException("cannot publish a follow-up of "
                            + cause.messageId() + " to topic '" + target.name() + "': " + e.getMessage(), e));
                }
            });
        }
    }
}
