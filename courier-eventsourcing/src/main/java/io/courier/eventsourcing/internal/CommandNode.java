package io.courier.eventsourcing.internal;

import io.courier.common.JvmErrors;
import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import io.courier.core.Serde;
import io.courier.core.Serdes;
import io.courier.core.internal.EnvelopeCodec;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.CommandResult;
import io.courier.eventsourcing.Decision;
import io.courier.eventsourcing.EventOffset;
import io.courier.eventsourcing.EventHeaders;
import io.courier.requestreply.ReplyHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides one command: state from the store, the aggregate's decision, events to the events sink, the new state to
 * the store, and the answer to the replies sink. Kafka Streams runs all of it in one transaction per commit.
 */
final class CommandNode<S, C, E> implements Processor<String, byte[], String, Object> {
    static final String STORE = "aggregate-state";
    static final String EVENTS = "events";
    static final String REPLIES = "replies";
    private static final Logger LOG = LoggerFactory.getLogger(CommandNode.class);
    private static final Serde<CommandResult> RESULTS = Serdes.json(CommandResult.class);
    /** Links a command's events to its acceptance for {@link OffsetStampingProducer}; unique in this JVM. */
    private static final AtomicLong TOKENS = new AtomicLong();

    private final Aggregate<S, C, E> aggregate;
    private final EventCodec<S, C, E> codec;
    private final Clock clock;
    private final String source;
    /** How events and answers carry Courier's envelope: as the service's publishers write it. */
    private final EnvelopeFormat format;
    /** Why a reply target does not exist, or null: see {@link io.courier.requestreply.internal.ReplyTargets}. */
    interface ReplyTargetCheck {
        String problem(String topic, int partition) throws InterruptedException;
    }

    private final ReplyTargetCheck replyTargets;
    /** A command decided within this long of its deadline would become visible after it. */
    private final long commitInterval;
    /** The producer's {@code max.request.size}: a larger record fails the transaction, and every retry of it. */
    private final int maxRecordBytes;
    /**
     * What a state, event or answer, with its key, may take of {@link #maxRecordBytes}: the rest is for headers and
     * framing.
     */
    private final int maxValueBytes;
    /** JSON bytes of an acceptance without offsets and with an empty id, and what each offset adds at most. */
    private final int acceptanceBytes;
    private final int offsetBytes;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> store;

    /**
     * @param maxRecordBytes the processor's producer {@code max.request.size}; a command whose state, event or answer
     *                       would not fit is rejected
     */
    CommandNode(Aggregate<S, C, E> aggregate, Clock clock, EnvelopeFormat format, Duration commitInterval,
            ReplyTargetCheck replyTargets, int maxRecordBytes) {
        this.aggregate = aggregate;
        this.codec = new EventCodec<>(aggregate);
        this.clock = clock;
        this.format = format;
        this.source = aggregate.name() + "-processor";
        this.commitInterval = commitInterval.toMillis();
        this.replyTargets = replyTargets;
        this.maxRecordBytes = maxRecordBytes;
        // Envelope headers and the record framing take well under 16 KiB; a small limit keeps 3/4 for the value.
        this.maxValueBytes = maxRecordBytes - Math.min(RECORD_HEADROOM, maxRecordBytes / 4);
        CommandResult empty = CommandResult.acceptance("", Long.MAX_VALUE, Integer.MAX_VALUE);
        this.acceptanceBytes = RESULTS.serialize(empty).length;
        this.offsetBytes = RESULTS.serialize(empty.withOffsets(List.of(new EventOffset(aggregate.eventsTopic(),
                Integer.MAX_VALUE, Long.MAX_VALUE)))).length - acceptanceBytes + 1; // + 1: the comma
    }

    /** The longest aggregate id, message id, correlation id or traceparent a command may carry, in characters. */
    static final int MAX_ID_CHARS = 1024;

    /** @return what is too long in a command's envelope, or null: the fields its events and answer carry over */
    private static String oversized(Envelope envelope) {
        String[][] fields = {{"message id", envelope.messageId()}, {"correlation id", envelope.correlationId()},
            {"traceparent", envelope.traceparent().orElse(null)}};
        for (String[] field : fields) {
            if (field[1] != null && field[1].length() > MAX_ID_CHARS) {
                return "its " + field[0] + " is " + field[1].length() + " characters long, more than the "
                        + MAX_ID_CHARS + " a command may carry";
            }
        }
        return null;
    }

    /** The header's text; "" for a header present without a value, which is no number, so it is refused. */
    private static String headerText(org.apache.kafka.common.header.Headers headers, String key) {
        org.apache.kafka.common.header.Header h = headers.lastHeader(key);
        return h == null ? null : h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Bytes of a record's limit kept for its headers and framing (at most a quarter of the limit). */
    static final int RECORD_HEADROOM = 16 * 1024;

    /** What the replies sink writes: where, and the bytes. */
    record ReplyOut(String topic, int partition, byte[] value) {}

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> command) {
        String where = aggregate.commandsTopic() + (context.recordMetadata().map(m -> "-" + m.partition() + "@"
                + m.offset()).orElse(""));
        Envelope envelope = EnvelopeCodec.read(command.headers(), where, "command", "application/json",
                Instant.ofEpochMilli(command.timestamp()));
        String id = command.key();
        String oversized = oversized(envelope);
        if (oversized != null) {
            // Its events and answer would carry that field in their headers (the answer also as its key), and could
            // exceed the record limit: the producer would refuse them, and Kafka Streams stop the processor here at
            // every restart. So no answer either.
            LOG.warn("command {} of aggregate type '{}' skipped without an answer: {}", where, aggregate.name(),
                    oversized);
            return;
        }
        byte[] token = Long.toString(TOKENS.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
        if (id != null && id.length() > MAX_ID_CHARS) { // its events' key, and its answer's value, would carry it
            reply(command.headers(), envelope, CommandResult.rejection(id.substring(0, 64) + "...", 0, "the aggregate "
                    + "id (record key) is " + id.length() + " characters long, more than the " + MAX_ID_CHARS
                    + " a command may carry"), token);
            return;
        }
        byte[] stored = id == null ? null : store.get(id);
        long version;
        CommandResult result;
        try {
            version = codec.storedVersion(stored);
            result = null;
        } catch (RuntimeException e) { // thrown out of process() it would stop the processor at this command for good
            version = 0;
            result = CommandResult.rejection(id, 0, "aggregate '" + aggregate.name() + "' cannot read the stored "
                    + "state of '" + id + "': " + reason(e));
        }
        if (result == null) {
            result = decide(command, envelope, id, stored, version, token);
        }
        reply(command.headers(), envelope, result, token);
    }

    private CommandResult decide(Record<String, byte[]> command, Envelope envelope, String id, byte[] stored,
            long version, byte[] token) {
        if (id == null) {
            return CommandResult.rejection("", 0, "a command needs its aggregate id as the record key");
        }
        String deadlineText = headerText(command.headers(), ReplyHeaders.DEADLINE);
        Long deadline = number(deadlineText);
        if (deadlineText != null && deadline == null) {
            return CommandResult.rejection(id, version, "the command has header " + ReplyHeaders.DEADLINE + "='"
                    + deadlineText + "'; expected epoch milliseconds");
        }
        if (deadline != null && deadline <= clock.millis() + commitInterval) {
            // The caller has given up and was told nothing happened: keep it that way. Its answer becomes visible
            // with the next commit, up to a commit interval from now: one decided closer to the deadline would be
            // applied while its caller sees a timeout, and retries.
            return CommandResult.rejection(id, version, "the command's deadline "
                    + (deadline <= clock.millis() ? "passed before it was processed"
                    : "comes before its outcome could be committed (commit interval " + commitInterval + " ms)"));
        }
        C cmd;
        try {
            if (command.value() == null) {
                throw new IllegalArgumentException("no value");
            }
            cmd = aggregate.commands().deserialize(command.value(), envelope.messageType());
        } catch (Throwable e) { // a serde's errors too, as decide's below
            JvmErrors.rethrowIfJvms(e);
            return CommandResult.rejection(id, version, "invalid payload for aggregate type '" + aggregate.name()
                    + "' (type " + envelope.messageType() + "): " + reason(e));
        }
        String expected = headerText(command.headers(), EventHeaders.EXPECTED_VERSION);
        Long expectedVersion = number(expected);
        if (expected != null && expectedVersion == null) {
            return CommandResult.rejection(id, version, "the command has header " + EventHeaders.EXPECTED_VERSION
                    + "='" + expected + "'; expected a non-negative version number");
        }
        if (expectedVersion != null && expectedVersion != version) {
            return CommandResult.rejection(id, version, "expected version " + expectedVersion + " but aggregate '" + id
                    + "' is at version " + version);
        }
        S state;
        try {
            state = codec.storedState(stored);
        } catch (Throwable e) { // thrown out of process() it would stop the processor at this command for good
            JvmErrors.rethrowIfJvms(e);
            return CommandResult.rejection(id, version, "aggregate '" + aggregate.name() + "' cannot read the stored "
                    + "state of '" + id + "': " + reason(e));
        }
        List<E> events;
        S next = state;
        try {
            Decision<E> decision = aggregate.decide().apply(state, cmd);
            if (decision instanceof Decision.Reject<E> r) {
                return CommandResult.rejection(id, version, r.reason());
            }
            events = ((Decision.Accept<E>) decision).events();
            for (E e : events) {
                next = aggregate.evolve().apply(next, e);
            }
        } catch (Throwable e) {
            // The errors of user code too: thrown out of process(), one would stop the stream task, and the command,
            // read again at every restart, would stop it again. (The JVM's own, an OutOfMemoryError, still do.)
            JvmErrors.rethrowIfJvms(e);
            return CommandResult.rejection(id, version, "aggregate '" + aggregate.name() + "' failed on "
                    + envelope.messageType() + ": " + e);
        }
        List<Record<String, Object>> out = new ArrayList<>();
        long v = version;
        Instant now = clock.instant();
        byte[] nextState;
        List<byte[]> encoded = new ArrayList<>(events.size());
        List<String> types = new ArrayList<>(events.size());
        try { // before anything is forwarded: a state that cannot be stored rejects the command as a whole
            nextState = events.isEmpty() ? null : codec.encodeState(version + events.size(), next);
            for (E e : events) {
                encoded.add(codec.encode(e));
                types.add(codec.type(e));
            }
        } catch (Throwable e) { // a serde's errors too
            JvmErrors.rethrowIfJvms(e);
            return CommandResult.rejection(id, version, "aggregate '" + aggregate.name() + "' cannot write the "
                    + "outcome of " + envelope.messageType() + ": " + reason(e));
        }
        String tooLarge = tooLarge(id, nextState, types, encoded);
        if (tooLarge != null) { // sent, it would fail the transaction, and every retry of this command
            return CommandResult.rejection(id, version, "aggregate '" + aggregate.name() + "' cannot write the "
                    + "outcome of " + envelope.messageType() + ": " + tooLarge);
        }
        for (int i = 0; i < events.size(); i++) {
            v++;
            Headers headers = new RecordHeaders();
            String type = types.get(i);
            EventCodec.envelope(headers, type, source, envelope, now, format);
            headers.add(EventHeaders.AGGREGATE_VERSION, Long.toString(v).getBytes(StandardCharsets.UTF_8));
            headers.add(EventHeaders.SCHEMA_VERSION, Integer.toString(aggregate.schemaVersion(type))
                    .getBytes(StandardCharsets.UTF_8));
            headers.add(OffsetStampingProducer.EVENT_TOKEN, token);
            out.add(new Record<>(id, encoded.get(i), now.toEpochMilli(), headers));
        }
        out.forEach(r -> context.forward(r, EVENTS));
        if (nextState != null) {
            store.put(id, nextState);
        }
        return CommandResult.acceptance(id, v, events.size());
    }

    /** @return the message of {@code e}, or its class when it has none (a bare AssertionError, say) */
    private static String reason(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** @return what of a command's outcome would not fit in a record, or null if all of it does */
    private String tooLarge(String id, byte[] nextState, List<String> types, List<byte[]> encoded) {
        int key = id.getBytes(StandardCharsets.UTF_8).length;
        if (nextState != null && key + nextState.length > maxValueBytes) {
            return "the state of '" + id + "' would be " + (key + nextState.length) + " bytes" + limit();
        }
        for (int i = 0; i < encoded.size(); i++) {
            if (key + encoded.get(i).length > maxValueBytes) {
                return "event " + (i + 1) + " of " + encoded.size() + " (" + types.get(i) + ") of '"
                        + id + "' would be " + (key + encoded.get(i).length) + " bytes" + limit();
            }
        }
        long answer = key + acceptanceBytes + (long) offsetBytes * types.size(); // as the producer stamps it
        if (answer > maxValueBytes) {
            return "the acceptance, with the offsets of its " + types.size() + " events, would be up to " + answer
                    + " bytes" + limit();
        }
        return null;
    }

    private String limit() {
        return ", above the " + maxRecordBytes + "-byte limit (max.request.size) less "
                + (maxRecordBytes - maxValueBytes) + " bytes for headers and framing";
    }

    private void reply(Headers commandHeaders, Envelope command, CommandResult result, byte[] token) {
        String topic = EnvelopeCodec.text(commandHeaders, ReplyHeaders.REPLY_TOPIC);
        String partition = EnvelopeCodec.text(commandHeaders, ReplyHeaders.REPLY_PARTITION);
        if (topic == null || partition == null) {
            return; // fire-and-forget command: nobody to answer
        }
        Long replyPartition = number(partition);
        if (replyPartition == null || replyPartition > Integer.MAX_VALUE) {
            LOG.warn("command {} of aggregate type '{}' has header {}='{}', not a partition number: no reply sent "
                    + "({})", command.messageId(), aggregate.name(), ReplyHeaders.REPLY_PARTITION, partition, result);
            return;
        }
        String problem;
        try {
            problem = replyTargets.problem(topic, replyPartition.intValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.streams.errors.StreamsException("interrupted while checking reply topic '"
                    + topic + "'", e);
        }
        if (problem != null) { // sent there, the reply would fail the transaction, again at every retry
            LOG.warn("command {} of aggregate type '{}' {}: no reply sent ({})", command.messageId(),
                    aggregate.name(), problem, result);
            return;
        }
        byte[] value = RESULTS.serialize(result);
        if (value.length > maxValueBytes && !result.accepted()) { // a long reason, from decide or an exception
            String reason = result.reason();
            value = RESULTS.serialize(CommandResult.rejection(result.aggregateId(), result.version(),
                    reason.substring(0, Math.min(reason.length(), maxValueBytes / 8)) + "... (" + reason.length()
                    + " characters, cut to fit max.request.size " + maxRecordBytes + ")"));
        }
        Headers headers = new RecordHeaders();
        EventCodec.envelope(headers, "CommandResult", source, command, clock.instant(), format);
        headers.add(ReplyHeaders.STATUS, ReplyHeaders.SUCCESS.getBytes(StandardCharsets.UTF_8));
        if (result.events() > 0) {
            headers.add(OffsetStampingProducer.REPLY_TOKEN, token); // the producer adds the events' offsets
        }
        context.forward(new Record<>(command.correlationId(), new ReplyOut(topic, replyPartition.intValue(), value),
                clock.millis(), headers), REPLIES);
    }

    /** @return the non-negative number a header holds, or null if it is absent or not one */
    private static Long number(String text) {
        if (text == null) {
            return null;
        }
        try {
            long n = Long.parseLong(text.trim());
            return n < 0 ? null : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return an acceptance's bytes with the offsets its events were written at */
    static byte[] stamp(byte[] acceptance, List<EventOffset> offsets) {
        return RESULTS.serialize(RESULTS.deserialize(acceptance, "CommandResult").withOffsets(offsets));
    }
}
