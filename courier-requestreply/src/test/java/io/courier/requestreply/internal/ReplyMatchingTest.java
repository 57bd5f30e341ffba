package io.courier.requestreply.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.core.Serde;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Gathered;
import io.courier.requestreply.Reply;
import io.courier.requestreply.ReplyHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Decoding replies and completing pending requests, without a broker. */
class ReplyMatchingTest {
    private static final Endpoint<String, String, Integer> ENDPOINT =
            Endpoint.of(Topic.of("quotes", Serdes.string(), Serdes.string()), Serdes.json(Integer.class));
    private static final Runnable NOTHING = () -> { };
    private final LongAdder counted = new LongAdder();

    private static ConsumerRecord<byte[], byte[]> reply(String correlationId, String value, String... headers) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("replies", 2, 7L, correlationId.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_correlationid", correlationId.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    @Test
    void decodesASuccessWithTheEndpointsSerde() {
        Reply<Integer> reply = ReplyCodec.decode(reply("c1", "42", ReplyHeaders.STATUS, "success"), ENDPOINT, "c1");
        assertThat(reply).isEqualTo(new Reply.Success<>("c1", 42, ((Reply.Success<Integer>) reply).envelope()));
        assertThat(io.courier.core.internal.EnvelopeCodec.correlationId(reply("c1", "42").headers())).isEqualTo("c1");
    }

    @Test
    void decodesAFailureWithTheRespondersErrorTypeAndMessage() {
        Reply<Integer> reply = ReplyCodec.decode(reply("c2", "boom", ReplyHeaders.STATUS, "failure",
                ReplyHeaders.ERROR_TYPE, "java.lang.IllegalStateException"), ENDPOINT, "c2");
        assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class, f -> {
            assertThat(f.errorType()).isEqualTo("java.lang.IllegalStateException");
            assertThat(f.message()).isEqualTo("boom");
        });
    }

    @Test
    void aFailuresMessageIsCutAtTwoThousandCharactersAndANullMessageIsEmpty() {
        assertThat(ReplyCodec.truncate("x".repeat(2500))).hasSize(2003).startsWith("x".repeat(2000)).endsWith("...");
        assertThat(ReplyCodec.truncate("x".repeat(2000))).isEqualTo("x".repeat(2000));
        assertThat(ReplyCodec.truncate(null)).isEmpty();
    }

    @Test
    void anUnreadableReplyIsAFailureThatSaysWhereAndWhatWasExpectedNotATimeout() {
        Reply<Integer> reply = ReplyCodec.decode(reply("c3", "not a number", ReplyHeaders.STATUS, "success"), ENDPOINT, "c3");
        assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class, f -> {
            assertThat(f.errorType()).isEqualTo("io.courier.core.SerdeException");
            assertThat(f.message()).contains("replies-2@7", "Integer");
        });
    }

    @Test
    void aReplySerdeThatThrowsAnErrorGivesAFailureInsteadOfEndingTheReplyThread() {
        for (Error error : java.util.List.of(new NoClassDefFoundError("com/example/Money"),
                new java.util.ServiceConfigurationError("no provider for com.example.Money"))) {
            Endpoint<String, String, Integer> endpoint = Endpoint.of(Topic.of("quotes", Serdes.string(),
                    Serdes.string()), replySerdeThrowing(error));

            Reply<Integer> reply = ReplyCodec.decode(reply("c4", "7", ReplyHeaders.STATUS, "success"), endpoint,
                    "c4");

            assertThat(reply).isInstanceOfSatisfying(Reply.Failure.class,
                    f -> assertThat(f.message()).contains("replies-2@7", error.getMessage()));
        }
    }

    @Test
    void aReplySerdesOutOfMemoryErrorIsTheJvmsAndIsThrownOn() {
        OutOfMemoryError error = new OutOfMemoryError("Java heap space");
        Endpoint<String, String, Integer> endpoint = Endpoint.of(Topic.of("quotes", Serdes.string(), Serdes.string()),
                replySerdeThrowing(error));

        assertThat(assertThrows(OutOfMemoryError.class, () -> ReplyCodec.decode(reply("c5", "8", ReplyHeaders.STATUS,
                "success"), endpoint, "c5"))).isSameAs(error);
    }

    /** @return a reply serde whose deserialize throws {@code error} */
    private static Serde<Integer> replySerdeThrowing(Error error) {
        return new Serde<>() {
            @Override
            public Class<Integer> type() {
                return Integer.class;
            }

            @Override
            public String contentType() {
                return "application/json";
            }

            @Override
            public byte[] serialize(Integer value) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Integer deserialize(byte[] data, String messageType) {
                throw error;
            }
        };
    }

    @Test
    void aGatherCompletesAtTheExpectedCountOrWithWhatItHasAtTheDeadline() {
        PendingRequest.Gather<Integer> two = new PendingRequest.Gather<>(ENDPOINT, "g1", Instant.EPOCH, 2);
        assertThat(two.offer(new Reply.Success<>("g1", 1, envelope()), "pricing", counted, NOTHING)).isEqualTo(PendingRequest.Offer.TAKEN);
        assertThat(two.offer(new Reply.Success<>("g1", 2, envelope()), "stock", counted, NOTHING)).isEqualTo(PendingRequest.Offer.COMPLETED);
        assertThat(two.future.join().values()).containsExactly(1, 2);

        LongAdder timedOut = new LongAdder();
        PendingRequest.Gather<Integer> three = new PendingRequest.Gather<>(ENDPOINT, "g2", Instant.EPOCH, 3);
        three.offer(new Reply.Success<>("g2", 5, envelope()), null, counted, NOTHING);
        three.expire(timedOut);
        Gathered<Integer> partial = three.future.join();
        assertThat(partial.complete()).isFalse();
        assertThat(partial.values()).containsExactly(5);
        assertThat(timedOut.sum()).isEqualTo(1);
        assertThat(three.offer(new Reply.Success<>("g2", 6, envelope()), null, counted, NOTHING)).as("a reply after the deadline")
                .isEqualTo(PendingRequest.Offer.REFUSED);
        assertThat(three.future.join().values()).containsExactly(5);
    }

    @Test
    void aGathersRepliesAreInArrivalOrder() {
        PendingRequest.Gather<Integer> three = new PendingRequest.Gather<>(ENDPOINT, "g7", Instant.EPOCH, 3);
        Reply.Failure<Integer> failure = new Reply.Failure<>("g7", "java.lang.IllegalStateException", "boom",
                envelope());
        three.offer(new Reply.Success<>("g7", 9, envelope()), "stock", counted, NOTHING);
        three.offer(failure, "audit", counted, NOTHING);
        three.offer(new Reply.Success<>("g7", 3, envelope()), "pricing", counted, NOTHING);

        Gathered<Integer> gathered = three.future.join();
        assertThat(gathered.values()).containsExactly(9, 3);
        assertThat(gathered.replies()).containsExactly(new Reply.Success<>("g7", 9, envelope()), failure,
                new Reply.Success<>("g7", 3, envelope()));
    }

    @Test
    void aGatherCountsOneReplyPerResponderGroupSoARedeliveredRequestsSecondAnswerDoesNotCompleteIt() {
        PendingRequest.Gather<Integer> two = new PendingRequest.Gather<>(ENDPOINT, "g3", Instant.EPOCH, 2);
        assertThat(two.offer(new Reply.Success<>("g3", 1, envelope()), "pricing", counted, NOTHING)).isEqualTo(PendingRequest.Offer.TAKEN);
        assertThat(two.offer(new Reply.Success<>("g3", 1, envelope()), "pricing", counted, NOTHING)).as("pricing again")
                .isEqualTo(PendingRequest.Offer.REFUSED);
        assertThat(two.future).isNotDone();
        assertThat(two.offer(new Reply.Success<>("g3", 2, envelope()), "stock", counted, NOTHING)).isEqualTo(PendingRequest.Offer.COMPLETED);
        assertThat(two.future.join().values()).containsExactly(1, 2);
        // Replies that name no group (a responder of an older release) are counted as they come.
        PendingRequest.Gather<Integer> unnamed = new PendingRequest.Gather<>(ENDPOINT, "g4", Instant.EPOCH, 2);
        assertThat(unnamed.offer(new Reply.Success<>("g4", 1, envelope()), null, counted, NOTHING)).isEqualTo(PendingRequest.Offer.TAKEN);
        assertThat(unnamed.offer(new Reply.Success<>("g4", 1, envelope()), null, counted, NOTHING))
                .isEqualTo(PendingRequest.Offer.COMPLETED);
    }

    @Test
    void aReplyIsCountedAndItsRequestBookedBeforeTheCallerSeesIt() {
        AtomicBoolean booked = new AtomicBoolean();
        PendingRequest.Single<Integer> single = new PendingRequest.Single<>(ENDPOINT, "s2", Instant.EPOCH);
        CompletableFuture<String> seen = single.future.thenApply(r -> counted.sum() + " " + booked.get());
        assertThat(single.offer(new Reply.Success<>("s2", 1, envelope()), null, counted, () -> booked.set(true)))
                .isEqualTo(PendingRequest.Offer.COMPLETED);
        assertThat(seen.join()).isEqualTo("1 true");

        booked.set(false);
        PendingRequest.Gather<Integer> two = new PendingRequest.Gather<>(ENDPOINT, "g5", Instant.EPOCH, 2);
        CompletableFuture<String> gathered = two.future.thenApply(r -> counted.sum() + " " + booked.get());
        assertThat(two.offer(new Reply.Success<>("g5", 1, envelope()), "pricing", counted, () -> booked.set(true)))
                .isEqualTo(PendingRequest.Offer.TAKEN);
        assertThat(booked).as("booked only by the reply that completes the gather").isFalse();
        two.offer(new Reply.Success<>("g5", 2, envelope()), "stock", counted, () -> booked.set(true));
        assertThat(gathered.join()).isEqualTo("3 true");
    }

    @Test
    void aReplyToARequestItsCallerCancelledIsNotCounted() {
        PendingRequest.Single<Integer> single = new PendingRequest.Single<>(ENDPOINT, "s3", Instant.EPOCH);
        single.future.cancel(false);
        assertThat(single.offer(new Reply.Success<>("s3", 1, envelope()), null, counted, NOTHING))
                .isEqualTo(PendingRequest.Offer.REFUSED);
        assertThat(counted.sum()).isZero();

        PendingRequest.Gather<Integer> gather = new PendingRequest.Gather<>(ENDPOINT, "g6", Instant.EPOCH, 1);
        gather.future.cancel(false);
        assertThat(gather.offer(new Reply.Success<>("g6", 1, envelope()), "pricing", counted, NOTHING))
                .isEqualTo(PendingRequest.Offer.REFUSED);
        assertThat(counted.sum()).isZero();
    }

    @Test
    void aSingleRequestTimesOutNamingItsTopicAndIdOnlyOnce() {
        LongAdder timedOut = new LongAdder();
        PendingRequest.Single<Integer> p = new PendingRequest.Single<>(ENDPOINT, "s1", Instant.parse("2026-01-01T00:00:00Z"));
        p.expire(timedOut);
        p.expire(timedOut);
        assertThat(p.future.join()).isEqualTo(new Reply.Timeout<>("quotes", "s1", Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(timedOut.sum()).isEqualTo(1);
    }

    @Test
    void recentIdsForgetTheOldestBeyondTheirCapacity() {
        RecentIds ids = new RecentIds(2);
        ids.add("a");
        ids.add("b");
        ids.add("c");
        assertThat(ids.contains("a")).isFalse();
        assertThat(ids.contains("b")).isTrue();
        assertThat(ids.contains("c")).isTrue();
    }

    private static io.courier.core.Envelope envelope() {
        return new io.courier.core.Envelope("id", "Integer", "c", java.util.Optional.empty(), "test", Instant.EPOCH,
                "application/json", java.util.Optional.empty());
    }
}
