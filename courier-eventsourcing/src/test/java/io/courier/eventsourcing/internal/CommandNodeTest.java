package io.courier.eventsourcing.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.EnvelopeFormat;
import io.courier.core.Serdes;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.CommandResult;
import io.courier.eventsourcing.Decision;
import io.courier.requestreply.ReplyHeaders;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One command at a time through the deciding node, with a map for its store and a list for what it forwards: input
 * that Kafka Streams would turn into a stopped processor, had the node thrown.
 */
class CommandNodeTest {
    record Counter(long count) {}

    record Add(long n) {}

    record Added(long n) {}

    private static final Aggregate<Counter, Add, Added> COUNTERS = Aggregate.builder("counter", Counter.class,
                    Add.class, Added.class)
            .decide((state, add) -> Decision.accept(new Added(add.n())))
            .evolve((state, added) -> new Counter((state == null ? 0 : state.count()) + added.n()))
            .build();

    private final Map<String, byte[]> store = new HashMap<>();
    /** What the node forwarded, by child: events or replies. */
    private final Map<String, List<Record<?, ?>>> forwarded = new HashMap<>();
    private CommandNode<Counter, Add, Added> node;
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
        ProcessorContext<String, Object> context = (ProcessorContext<String, Object>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ProcessorContext.class}, (proxy, method, args) ->
                        switch (method.getName()) {
                            case "getStateStore" -> kv;
                            case "recordMetadata" -> Optional.empty();
                            case "forward" -> forwarded.computeIfAbsent((String) args[1], k -> new ArrayList<>())
                                    .add((Record<?, ?>) args[0]);
                            default -> throw new UnsupportedOperationException(method.getName());
                        });
        node = new CommandNode<>(COUNTERS, Clock.systemUTC(), EnvelopeFormat.COMPACT, Duration.ofMillis(100),
                (topic, partition) -> replyProblem);
        node.init(context);
    }

    private void process(String... headers) {
        RecordHeaders h = new RecordHeaders();
        h.add("ce_type", "Add".getBytes(StandardCharsets.UTF_8));
        h.add(ReplyHeaders.REPLY_TOPIC, "counter.replies".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            h.remove(headers[i]);
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        if (h.lastHeader(ReplyHeaders.REPLY_PARTITION) == null) {
            h.add(ReplyHeaders.REPLY_PARTITION, "0".getBytes(StandardCharsets.UTF_8));
        }
        node.process(new Record<>("c-1", "{\"n\":5}".getBytes(StandardCharsets.UTF_8), 0L, h));
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
    void aReplyPartitionThatIsNotANumberLeavesNoReplyButTheCommandIsStillProcessed() {
        process(ReplyHeaders.REPLY_PARTITION, "x");

        assertThat(forwarded.getOrDefault(CommandNode.REPLIES, List.of())).isEmpty();
        assertThat(events()).isEqualTo(1);
        process(); // and the next command goes on from the stored state
        assertThat(lastReply()).usingRecursiveComparison().ignoringFields("offsets")
                .isEqualTo(CommandResult.acceptance("c-1", 2, 1));
    }
}
