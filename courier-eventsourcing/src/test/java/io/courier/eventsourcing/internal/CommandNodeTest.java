package io.courier.eventsourcing.internal;

import static io.courier.eventsourcing.internal.Counters.COUNTERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.core.EnvelopeFormat;
import io.courier.core.Serdes;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.CommandResult;
import io.courier.eventsourcing.Decision;
import io.courier.eventsourcing.EventHeaders;
import io.courier.eventsourcing.EventOffset;
import io.courier.eventsourcing.internal.Counters.Add;
import io.courier.eventsourcing.internal.Counters.Added;
import io.courier.eventsourcing.internal.Counters.Counter;
import io.courier.requestreply.ReplyHeaders;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One command at a time through the deciding node, with a map for its store and a list for what it forwards: input
 * that Kafka Streams would turn into a stopped processor, had the node thrown.
 */
class CommandNodeTest {

    /** An aggregate whose outcome is as large as its command says: the state, or the event. */
    record Blob(String text) {}

    record Put(int stateChars, int eventChars) {}

    record Wrote(String padding, int stateChars) {}

    private static final Aggregate<Blob, Put, Wrote> BLOBS = Aggregate.builder("blob", Blob.class, Put.class,
                    Wrote.class)
            .decide((state, put) -> put.stateChars() < 0 ? Decision.reject("r".repeat(put.eventChars()))
                    : Decision.accept(new Wrote("p".repeat(put.eventChars()), put.stateChars())))
            .evolve((state, wrote) -> new Blob("s".repeat(wrote.stateChars())))
            .build();

    private final Map<String, byte[]> store = new HashMap<>();
    /** What the node forwarded, by child: events or replies. */
    private final Map<String, List<Record<?, ?>>> forwarded = new HashMap<>();
    private CommandNode<Counter, Add, Added> node;
    private ProcessorContext<String, Object> context;
    /** What the reply target check says. */
    private String replyProblem;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void init() {
        KeyValueStore<String, byte[]> kv = (KeyValueStore<String, byte[]>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) ->
                        switch (method.getName()) {
                            case "get" -> store.get(args[0]);
                            case "put" -> store.put((String) args[0], (byte[]) args[1]);
                            default -> throw new UnsupportedOperationException(method.getName());
                        });
        context = (ProcessorContext<String, Object>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ProcessorContext.class}, (proxy, method, args) ->
                        switch (method.getName()) {
                            case "getStateStore" -> kv;
                            case "recordMetadata" -> Optional.empty();
                            case "forward" -> forwarded.computeIfAbsent((String) args[1], k -> new ArrayList<>())
                                    .add((Record<?, ?>) args[0]);
                            default -> throw new UnsupportedOperationException(method.getName());
                        });
        node = node(COUNTERS);
    }

    /** @return a node of the aggregate on this test's store and context, with Kafka's default record limit */
    private <S, C, E> CommandNode<S, C, E> node(Aggregate<S, C, E> aggregate) {
        return node(aggregate, StreamsCommandProcessor.DEFAULT_MAX_REQUEST_SIZE);
    }

    /** @return a node of the aggregate on this test's store and context, with a record limit of {@code maxBytes} */
    private <S, C, E> CommandNode<S, C, E> node(Aggregate<S, C, E> aggregate, int maxBytes) {
        CommandNode<S, C, E> n = new CommandNode<>(aggregate, Clock.systemUTC(), EnvelopeFormat.COMPACT,
                Duration.ofMillis(100), (topic, partition) -> replyProblem, maxBytes);
        n.init(context);
        return n;
    }

    private void process(String... headers) {
        process(node, "Add", "{\"n\":5}", headers);
    }

    private void process(CommandNode<?, ?, ?> target, String type, String value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        h.add("ce_type", type.getBytes(StandardCharsets.UTF_8));
        h.add(ReplyHeaders.REPLY_TOPIC, "counter.replies".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            h.remove(headers[i]);
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        if (h.lastHeader(ReplyHeaders.REPLY_PARTITION) == null) {
            h.add(ReplyHeaders.REPLY_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
        }
        target.process(new Record<>("c-1", value.getBytes(StandardCharsets.UTF_8), 0L, h));
    }

    private CommandResult lastReply() {
        List<Record<?, ?>> replies = forwarded.getOrDefault(CommandNode.REPLIES, List.of());
        assertThat(replies).isNotEmpty();
        CommandNode.ReplyOut out = (CommandNode.ReplyOut) replies.get(replies.size() - 1).value();
        return Serdes.json(CommandResult.class).deserialize(out.value(), "CommandResult");
    }

    private int events() {
        return forwarded.getOrDefault(CommandNode.EVENTS, List.of()).size();
    }

    @Test
    void aReplyTargetThatDoesNotExistLeavesNoReplyButTheCommandIsStillProcessed() {
        replyProblem = "names partition 7 of reply topic 'counter.replies', which has 3 partition(s)";

        process(ReplyHeaders.REPLY_PARTITION, "7");

        assertThat(forwarded.getOrDefault(CommandNode.REPLIES, List.of())).as("no reply: it would fail the "
                + "transaction").isEmpty();
        assertThat(events()).isEqualTo(1);
    }

    @Test
    void twoAcceptancesWithoutEventsAtOneExpectedVersionAreBothAcceptedAndAppendNothing() {
        CommandNode<Counter, Add, Added> n = node(Counters.builder()
                .decide((state, add) -> add.n() == 0 ? Decision.accept(List.of()) : Decision.accept(new Added(add.n())))
                .build());
        process(n, "Add", "{\"n\":5}");
        assertThat(lastReply().version()).isEqualTo(1);

        process(n, "Add", "{\"n\":0}", EventHeaders.EXPECTED_VERSION, "1");
        CommandResult first = lastReply();
        process(n, "Add", "{\"n\":0}", EventHeaders.EXPECTED_VERSION, "1");
        CommandResult second = lastReply();

        assertThat(List.of(first, second)).allSatisfy(r -> {
            assertThat(r.accepted()).isTrue();
            assertThat(r.version()).as("an acceptance without events leaves the version where it was").isEqualTo(1);
            assertThat(r.events()).isZero();
        });
        assertThat(events()).as("only the first command's event").isEqualTo(1);
        process(n, "Add", "{\"n\":3}", EventHeaders.EXPECTED_VERSION, "0");
        assertThat(lastReply().accepted()).as("a stale expected version is still refused").isFalse();
    }

    @Test
    void aCommandWhoseDeadlineComesBeforeTheNextCommitIsRejectedNotApplied() {
        process(ReplyHeaders.DEADLINE, Long.toString(System.currentTimeMillis() + 50));

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().reason()).contains("deadline comes before its outcome could be committed");
        assertThat(events()).isZero();
        process(ReplyHeaders.DEADLINE, Long.toString(System.currentTimeMillis() + 60_000));
        assertThat(lastReply().accepted()).isTrue();
    }

    @Test
    void aDeadlineThatIsNotANumberIsARejectionNamingIt() {
        process(ReplyHeaders.DEADLINE, "soon");

        assertThat(lastReply()).isEqualTo(CommandResult.rejection("c-1", 0,
                "the command has header courier-deadline='soon'; expected epoch milliseconds"));
        assertThat(events()).isZero();
    }

    @Test
    void anExpectedVersionOrDeadlineHeaderWithoutAValueIsARejectionNotAnUnconditionalCommand() {
        for (String header : List.of(EventHeaders.EXPECTED_VERSION, ReplyHeaders.DEADLINE)) {
            RecordHeaders h = new RecordHeaders();
            h.add("ce_type", "Add".getBytes(StandardCharsets.UTF_8));
            h.add(ReplyHeaders.REPLY_TOPIC, "counter.replies".getBytes(StandardCharsets.UTF_8));
            h.add(ReplyHeaders.REPLY_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
            h.add(header, null); // a plain client's header with a null value

            node.process(new Record<>("c-1", "{\"n\":5}".getBytes(StandardCharsets.UTF_8), 0L, h));

            assertThat(lastReply().accepted()).as(header).isFalse();
            assertThat(lastReply().reason()).as(header).startsWith("the command has header " + header + "=''");
        }
        assertThat(events()).isZero();
    }

    @Test
    void aCommandCarryingAnIdTooLongForItsEventsAndAnswerIsSkippedWithoutStoppingTheProcessor() {
        String longest = "c".repeat(CommandNode.MAX_ID_CHARS);
        for (String header : List.of("ce_correlationid", "ce_id", "traceparent")) {
            process(header, longest + "x");
        }
        assertThat(forwarded).as("nothing written: no events, no answer").isEmpty();
        assertThat(store).isEmpty();

        process("ce_correlationid", longest);
        assertThat(lastReply().accepted()).as("the longest accepted").isTrue();
    }

    @Test
    void aCommandWhoseAggregateIdIsTooLongIsRejectedSayingSo() {
        String id = "a".repeat(CommandNode.MAX_ID_CHARS + 1);
        RecordHeaders h = new RecordHeaders();
        h.add("ce_type", "Add".getBytes(StandardCharsets.UTF_8));
        h.add(ReplyHeaders.REPLY_TOPIC, "counter.replies".getBytes(StandardCharsets.UTF_8));
        h.add(ReplyHeaders.REPLY_PARTITION, "0".getBytes(StandardCharsets.UTF_8));

        node.process(new Record<>(id, "{\"n\":5}".getBytes(StandardCharsets.UTF_8), 0L, h));

        assertThat(lastReply()).isEqualTo(CommandResult.rejection("a".repeat(64) + "...", 0, "the aggregate id (record "
                + "key) is 1025 characters long, more than the 1024 a command may carry"));
        assertThat(events()).isZero();
        assertThat(store).isEmpty();
    }

    @Test
    void aStoredStateThatCannotBeReadIsARejectionNamingTheAggregate() {
        store.put("c-1", java.nio.ByteBuffer.allocate(8 + 5).putLong(3).put("{oops".getBytes(StandardCharsets.UTF_8))
                .array());

        process();

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().reason()).startsWith("aggregate 'counter' cannot read the stored state of 'c-1': ");
        assertThat(lastReply().version()).isEqualTo(3);
        assertThat(events()).isZero();
    }

    @Test
    void aPayloadThatCannotBeReadIsARejectionNamingTheAggregateTypeAndTheCommandType() {
        String serdeSays = assertThrows(RuntimeException.class, () -> COUNTERS.commands().deserialize(
                "{not json".getBytes(StandardCharsets.UTF_8), "Add")).getMessage();

        process(node, "Add", "{not json");

        assertThat(lastReply()).isEqualTo(CommandResult.rejection("c-1", 0,
                "invalid payload for aggregate type 'counter' (type Add): " + serdeSays));
        assertThat(events()).isZero();
    }

    @Test
    void aStoredStateTooShortToHoldItsVersionIsARejectionNotAStoppedProcessor() {
        store.put("c-1", new byte[3]);

        process();

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().reason()).isEqualTo("aggregate 'counter' cannot read the stored state of 'c-1': "
                + "stored state of 3 bytes is shorter than its 8-byte version; it was not written by this release");
        assertThat(events()).isZero();
        assertThat(store.get("c-1")).hasSize(3);
    }

    @Test
    void rejectsACommandWhoseStateWouldExceedTheRecordLimit() {
        CommandNode<Blob, Put, Wrote> blobs = node(BLOBS);
        process(blobs, "Put", "{\"stateChars\":10,\"eventChars\":1}");
        assertThat(lastReply().accepted()).isTrue();
        byte[] before = store.get("c-1");

        process(blobs, "Put", "{\"stateChars\":1100000,\"eventChars\":1}");

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().version()).isEqualTo(1);
        assertThat(lastReply().reason()).isEqualTo("aggregate 'blob' cannot write the outcome of Put: the state of "
                + "'c-1' would be 1100022 bytes, above the 1048576-byte limit (max.request.size) less 16384 "
                + "bytes for headers and framing");
        assertThat(events()).as("only the first command's event").isEqualTo(1);
        assertThat(store.get("c-1")).as("the state of version 1").isSameAs(before);
    }

    @Test
    void aSmallRecordLimitKeepsAQuarterOfItForHeadersAndFramingAndCountsTheKeyAgainstTheRest() {
        // 40,000 bytes: a quarter, 10,000, is less than 16 KiB. A state of n characters is n + 19 bytes, key 3.
        CommandNode<Blob, Put, Wrote> blobs = node(BLOBS, 40_000);
        process(blobs, "Put", "{\"stateChars\":29978,\"eventChars\":1}");
        assertThat(lastReply().accepted()).as("key and state: exactly 30,000 bytes").isTrue();

        process(blobs, "Put", "{\"stateChars\":29979,\"eventChars\":1}");

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().reason()).isEqualTo("aggregate 'blob' cannot write the outcome of Put: the state of "
                + "'c-1' would be 30001 bytes, above the 40000-byte limit (max.request.size) less 10000 bytes for "
                + "headers and framing");
    }

    @Test
    void rejectsACommandWhoseEventWouldExceedTheRecordLimit() {
        process(node(BLOBS), "Put", "{\"stateChars\":1,\"eventChars\":1100000}");

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().reason()).contains("event 1 of 1 (Wrote) of 'c-1' would be ")
                .contains("above the 1048576-byte limit (max.request.size)");
        assertThat(events()).isZero();
        assertThat(store).doesNotContainKey("c-1");
    }

    @Test
    void aRejectionWhoseReasonWouldExceedTheRecordLimitIsSentWithTheReasonCut() {
        process(node(BLOBS), "Put", "{\"stateChars\":-1,\"eventChars\":1100000}");

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().reason()).startsWith("rrr").endsWith("... (1100000 characters, cut to fit "
                + "max.request.size 1048576)").hasSizeLessThan(1_048_576 / 4);
    }

    @Test
    void aReplyPartitionThatIsNotANumberLeavesNoReplyButTheCommandIsStillProcessed() {
        process(ReplyHeaders.REPLY_PARTITION, "x");

        assertThat(forwarded.getOrDefault(CommandNode.REPLIES, List.of())).isEmpty();
        assertThat(events()).isEqualTo(1);
        process(); // and the next command goes on from the stored state
        assertThat(lastReply()).usingRecursiveComparison().ignoringFields("offsets")
                .isEqualTo(CommandResult.acceptance("c-1", 2, 1));
    }

    /** What a decide or evolve may throw, from a broken rule to a class its code cannot load. */
    static List<Throwable> errorsOfUserCode() {
        return List.of(new IllegalStateException("a broken rule"), new StackOverflowError("a rule that recursed"),
                new NoClassDefFoundError("com/acme/Rules"), new AssertionError("assert in a rule"),
                new java.util.ServiceConfigurationError("no provider for com.acme.Pricing"));
    }

    private static <T> T raise(Throwable error) {
        if (error instanceof Error e) {
            throw e;
        }
        throw (RuntimeException) error;
    }

    @ParameterizedTest
    @MethodSource("errorsOfUserCode")
    void whatADecideOrEvolveThrowsIsARejectionNamingItAndWritesNothing(Throwable error) {
        process(); // version 1
        byte[] before = store.get("c-1");
        for (Aggregate<Counter, Add, Added> failing : List.of(
                Counters.builder().decide((state, add) -> raise(error)).build(),
                Counters.builder().evolve((state, added) -> raise(error)).build())) {
            process(node(failing), "Add", "{\"n\":5}");

            assertThat(lastReply()).isEqualTo(CommandResult.rejection("c-1", 1, "aggregate 'counter' failed on Add: "
                    + error));
            assertThat(events()).as("only the first command's event").isEqualTo(1);
            assertThat(store.get("c-1")).isSameAs(before);
        }
        process(); // and the next command applies, on the state of before
        assertThat(lastReply()).usingRecursiveComparison().ignoringFields("offsets")
                .isEqualTo(CommandResult.acceptance("c-1", 2, 1));
    }

    /** A command whose constructor asserts; Jackson passes an Error from it on as it is. */
    record Strict(long n) {
        Strict {
            if (n < 0) {
                throw new AssertionError("negative: " + n);
            }
        }
    }

    /** An event whose accessor asserts, which Jackson calls to write it, passing an Error on as it is. */
    record Loud(long n) {
        @Override
        public long n() {
            if (n > 1_000) {
                throw new AssertionError("too loud: " + n);
            }
            return n;
        }
    }

    @Test
    void aSerdesErrorOnACommandOrAnEventIsARejectionNotAStoppedProcessor() {
        CommandNode<Counter, Strict, Loud> strict = node(Aggregate.builder("strict", Counter.class, Strict.class,
                Loud.class).decide((state, c) -> Decision.accept(new Loud(c.n())))
                .evolve((state, e) -> new Counter(e.n)).build());

        process(strict, "Strict", "{\"n\":-1}"); // Jackson wraps this one
        assertThat(lastReply().reason()).startsWith("invalid payload for aggregate type 'strict' (type Strict): ")
                .endsWith("problem: negative: -1");

        process(strict, "Strict", "{\"n\":5000}");
        assertThat(lastReply()).isEqualTo(CommandResult.rejection("c-1", 0,
                "aggregate 'strict' cannot write the outcome of Strict: too loud: 5000"));
        assertThat(events()).isZero();
    }

    @Test
    void anOutOfMemoryErrorIsTheJvmsAndStillStopsTheProcessor() {
        OutOfMemoryError error = new OutOfMemoryError("Java heap space");
        CommandNode<Counter, Add, Added> failing = node(Counters.builder().decide((state, add) -> raise(error))
                .build());

        assertThat(assertThrows(OutOfMemoryError.class, () -> process(failing, "Add", "{\"n\":5}"))).isSameAs(error);
    }

    @Test
    void rejectsACommandWhoseAcceptanceWouldNotFitTheOffsetsOfItsEvents() {
        // Tiny events and a tiny state: only the acceptance, with one offset per event, outgrows the record limit.
        CommandNode<Counter, Add, Added> many = node(Counters.builder()
                .decide((state, add) -> Decision.accept(Collections.nCopies((int) add.n(), new Added(1)))).build());

        process(many, "Add", "{\"n\":20000}");

        assertThat(lastReply().accepted()).isFalse();
        assertThat(lastReply().version()).isZero();
        assertThat(lastReply().reason()).startsWith("aggregate 'counter' cannot write the outcome of Add: the "
                + "acceptance, with the offsets of its 20000 events, would be up to ")
                .endsWith(" bytes, above the 1048576-byte limit (max.request.size) less 16384 bytes for headers and "
                        + "framing");
        assertThat(events()).isZero();
        assertThat(store).doesNotContainKey("c-1");
        // Accepted, it would have failed the transaction: stamped with its offsets, the answer is above the limit.
        byte[] acceptance = Serdes.json(CommandResult.class).serialize(CommandResult.acceptance("c-1", 20_000, 20_000));
        assertThat(CommandNode.stamp(acceptance, LongStream.range(0, 20_000)
                .mapToObj(o -> new EventOffset(COUNTERS.eventsTopic(), 0, o)).toList()))
                .hasSizeGreaterThan(StreamsCommandProcessor.DEFAULT_MAX_REQUEST_SIZE);

        process(many, "Add", "{\"n\":10000}");
        assertThat(lastReply()).as("fewer events fit").usingRecursiveComparison().ignoringFields("offsets")
                .isEqualTo(CommandResult.acceptance("c-1", 10_000, 10_000));
    }
}
