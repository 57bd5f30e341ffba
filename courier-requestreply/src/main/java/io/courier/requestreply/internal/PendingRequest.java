package io.courier.requestreply.internal;

import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Gathered;
import io.courier.requestreply.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.LongAdder;

/** A request waiting for its reply (or, scatter-gather, replies); completes its future exactly once. */
abstract sealed class PendingRequest<R> permits PendingRequest.Single, PendingRequest.Gather {
    final Endpoint<?, ?, R> endpoint;
    final String correlationId;
    /** Set again when the request is handed to the producer: setting up its publisher does not eat into it. */
    volatile Instant deadline;
    volatile ScheduledFuture<?> timer;

    PendingRequest(Endpoint<?, ?, R> endpoint, String correlationId, Instant deadline) {
        this.endpoint = endpoint;
        this.correlationId = correlationId;
        this.deadline = deadline;
    }

    /** What became of a reply offered to a request. */
    enum Offer {
        /** The caller gets it; more replies are expected. */
        TAKEN,
        /** The caller gets it, and the request needs no further reply. */
        COMPLETED,
        /** Too late (the request is over) or a second answer of its group: the caller never sees it. */
        REFUSED
    }

    /**
     * Offers a reply; one the caller gets is counted, and the request's end booked, before the caller can see it.
     *
     * @param reply     a reply to this request
     * @param responder the consumer group that answered, or null if the reply does not say
     * @param counter   counts the reply if the caller gets it
     * @param over      books the end of the request; run before its future completes, if this reply completes it
     * @return what became of it
     */
    abstract Offer offer(Reply<R> reply, String responder, LongAdder counter, Runnable over);

    /**
     * The deadline passed: completes the future, counting a timeout first if the caller got fewer replies than it
     * asked for (first, so that whoever sees the future complete sees the count).
     */
    abstract void expire(LongAdder timedOut);

    /**
     * Completes the future with {@code error}, counting it first (so that whoever sees the future fail sees the
     * count), unless it is complete already.
     */
    final void fail(Throwable error, LongAdder errors) {
        errors.increment();
        if (!completion().completeExceptionally(error)) {
            errors.decrement(); // answered, timed out, cancelled or failed first
        }
    }

    /** @return the caller's future, complete once the request is over */
    abstract CompletableFuture<?> completion();

    void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    Reply.Timeout<R> timeout() {
        return new Reply.Timeout<>(endpoint.name(), correlationId, deadline);
    }

    /** One request, one reply. */
    static final class Single<R> extends PendingRequest<R> {
        final CompletableFuture<Reply<R>> future = new CompletableFuture<>();

        Single(Endpoint<?, ?, R> endpoint, String correlationId, Instant deadline) {
            super(endpoint, correlationId, deadline);
        }

        @Override
        Offer offer(Reply<R> reply, String responder, LongAdder counter, Runnable over) {
            counter.increment();
            over.run();
            if (future.complete(reply)) {
                return Offer.COMPLETED;
            }
            counter.decrement(); // the caller cancelled, or the requester closed, first
            return Offer.REFUSED;
        }

        @Override
        void expire(LongAdder timedOut) {
            if (!future.isDone()) {
                timedOut.increment();
                if (!future.complete(timeout())) {
                    timedOut.decrement(); // close() or the caller completed it first: counted there, or nowhere
                }
            }
        }

        @Override
        CompletableFuture<?> completion() {
            return future;
        }
    }

    /** One request, up to {@code expected} replies. */
    static final class Gather<R> extends PendingRequest<R> {
        final CompletableFuture<Gathered<R>> future = new CompletableFuture<>();
        private final int expected;
        private final List<Reply<R>> replies = new ArrayList<>();
        /** The groups that answered: a group answers a redelivered request again, but counts once. */
        private final Set<String> responders = new HashSet<>();

        Gather(Endpoint<?, ?, R> endpoint, String correlationId, Instant deadline, int expected) {
            super(endpoint, correlationId, deadline);
            this.expected = expected;
        }

        @Override
        synchronized Offer offer(Reply<R> reply, String responder, LongAdder counter, Runnable over) {
            // Decided under the same lock as expire(): a reply that loses the race to the deadline is refused.
            if (future.isDone() || responder != null && !responders.add(responder)) {
                return Offer.REFUSED; // over, or this group answered before (it handled a redelivery)
            }
            replies.add(reply);
            counter.increment();
            if (replies.size() >= expected) {
                over.run();
                if (!future.complete(new Gathered<>(correlationId, replies, expected))) {
                    counter.decrement(); // the caller cancelled, or the requester closed, first
                    return Offer.REFUSED;
                }
                return Offer.COMPLETED;
            }
            return Offer.TAKEN;
        }

        @Override
        synchronized void expire(LongAdder timedOut) {
            if (!future.isDone()) {
                boolean missing = replies.size() < expected;
                if (missing) {
                    timedOut.increment();
                }
                if (!future.complete(new Gathered<>(correlationId, replies, expected)) && missing) {
                    timedOut.decrement(); // close() or the caller completed it first: counted there, or nowhere
                }
            }
        }

        @Override
        CompletableFuture<?> completion() {
            return future;
        }
    }
}
