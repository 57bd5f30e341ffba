package io.courier.cli;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import io.courier.core.Courier;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier consume}: prints the records of any topic, whoever wrote them, through a plain
 * {@code KafkaConsumer<byte[], byte[]>}. Without {@code --group} it reads every partition by assignment and commits
 * nothing; with {@code --group} it joins that group and commits the offset of each record once it is printed, so a
 * later run of the same group continues after the last printed record. Stops after {@code --max} records, after
 * {@code --timeout} without a record, or on Ctrl-C (committing what was printed).
 */
@Command(name = "consume",
        mixinStandardHelpOptions = true,
        description = {"Print the records of any topic, one line per record, as text or JSON.",
                "Without --group, reads all partitions and commits nothing; with --group, commits each printed record.",
                "Runs until --max records, until --timeout passes without a record, or until Ctrl-C."})
final class ConsumeCommand implements Callable<Integer> {
    /** The longest single poll, so that --timeout and Ctrl-C are noticed promptly. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a partition's starting position may take to look up before it is left uncommitted. */
    private static final Duration POSITION_WAIT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic; it must exist.")
    String topic;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Consume as this consumer group and commit each printed record. Default: no group, "
                    + "all partitions, nothing committed.")
    String group;

    @Option(names = "--from-beginning",
            description = "Start at the earliest offset instead of the latest. With --group, only where the group "
                    + "has no committed offset yet (as in Kafka's console consumer).")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records. Default: no limit.")
    Long max;

    @Option(names = "--format", defaultValue = "TEXT", paramLabel = "FORMAT",
            description = "text: the value per line. json: one object per line with topic, partition, offset, "
                    + "timestamp (epoch ms), key, value and headers. Default: text.")
    RecordFormat format;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop when no record has arrived for this long (500ms, 10s, 2m; counted from the start, "
                    + "from the group's partition assignment, and from each record). Default: none, wait for records.")
    Duration timeout;

    /** System.nanoTime() of the start, the group's assignment or the last record: what --timeout counts from. */
    private long lastActivity;
    /**
     * What to commit for the group: the offset after each printed record, and the starting position of each
     * partition assigned, so that a partition it printed nothing from is not left to {@code auto.offset.reset}.
     */
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();

    @Override
    public Integer call() {
        ConnectionOptions.requireLegalTopic(topic);
        if (max != null && max < 1) {
            throw new IllegalArgumentException("--max must be at least 1, but was " + max);
        }
        if (group != null && group.isBlank()) {
            throw new IllegalArgumentException("--group must not be blank");
        }
        List<TopicPartition> partitions;
        try (Courier courier = connection.connect()) {
            // Fail with "does not exist" here, rather than poll an empty assignment forever.
            partitions = connection.describeExisting(courier.admin(), topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
        }
        try {
            return consume(partitions, spec.commandLine().getOut());
        } catch (KafkaException e) {
            if (e instanceof org.apache.kafka.common.config.ConfigException
                    || e.getCause() instanceof org.apache.kafka.common.config.ConfigException) {
                throw e; // a --command-config entry the consumer refuses: bad input, reported as such
            }
            throw new CourierException("cannot consume topic '" + topic + "' at " + connection.servers() + ": "
                    + ConnectionOptions.reason(e), e);
        }
    }

    private int consume(List<TopicPartition> partitions, PrintWriter out) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig());
        // On a signal, the JVM waits while this thread commits what it printed and closes the consumer.
        SignalStop signal = SignalStop.install("courier-consume-stop", consumer::wakeup);
        try {
            start(consumer, partitions);
            poll(consumer, out);
        } catch (WakeupException e) {
            // Ctrl-C: poll has already committed what was printed.
        } finally {
            out.flush();
            consumer.close();
            signal.close();
        }
        return 0;
    }

    private void start(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        lastActivity = System.nanoTime();
        if (group == null) {
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // Seeks are lazy: resolve them now, so that "latest" means "when the command started".
            partitions.forEach(consumer::position);
        } else {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    // Printed records are committed before the next poll. Left here are starting positions, no
                    // longer ours to commit (the next owner may have moved on), or records printed to an output
                    // that failed (on close after an error): neither is to be committed.
                    toCommit.keySet().removeAll(revoked);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                    // Where this run starts, committed: a partition with no committed offset that prints nothing
                    // would otherwise start the next run at its then latest offset, skipping what came meanwhile.
                    for (TopicPartition tp : assigned) {
                        try {
                            toCommit.putIfAbsent(tp, new OffsetAndMetadata(consumer.position(tp, POSITION_WAIT)));
                        } catch (org.apache.kafka.common.errors.TimeoutException e) {
                            // A partition without a leader: best effort, the other partitions print meanwhile.
                        }
                    }
                    // Joining a group takes a while; that is not "no record arrived".
                    lastActivity = System.nanoTime();
                }
            });
        }
    }

    private void poll(KafkaConsumer<byte[], byte[]> consumer, PrintWriter out) {
        long printed = 0;
        try {
            while (max == null || printed < max) {
                if (timeout != null && System.nanoTime() - lastActivity >= Durations.saturatedNanos(timeout)) {
                    return;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    out.println(format.format(r));
                    printed++;
                    lastActivity = System.nanoTime();
                    toCommit.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    if (max != null && printed == max) {
                        break; // the rest of the batch is neither printed nor committed
                    }
                }
                requireWritten(out, printed);
                commit(consumer);
            }
        } catch (WakeupException e) {
            // Ctrl-C: keep what was printed. A wakeup is delivered once, so this commit runs.
            requireWritten(out, printed);
            commit(consumer);
            throw e;
        }
    }

    /**
     * A reader that went away ({@code | head -1}) makes every later write fail silently; committing what it never
     * got would make the group skip it.
     */
    private void requireWritten(PrintWriter out, long printed) {
        if (out.checkError()) {
            throw new CourierException("cannot write to standard output (closed by its reader?) while printing "
                    + "records of topic '" + topic + "' (" + printed + " handed to it, the last ones possibly lost); "
                    + "stopped"
                    + (group == null ? "" : " without committing the records not known to be written for group '"
                    + group + "'"));
        }
    }

    private void commit(KafkaConsumer<byte[], byte[]> consumer) {
        if (group != null && !toCommit.isEmpty()) {
            consumer.commitSync(toCommit);
            toCommit.clear();
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = connection.kafkaConfig();
        config.put("key.deserializer", ByteArrayDeserializer.class.getName());
        config.put("value.deserializer", ByteArrayDeserializer.class.getName());
        config.put("client.id", "courier-cli-consume");
        // Commits are explicit and only for printed records; without a group there is nothing to commit to.
        config.put("enable.auto.commit", "false");
        config.put("auto.offset.reset", fromBeginning ? "earliest" : "latest");
        // Reading a topic must not create it, whatever the broker's auto.create.topics.enable says.
        config.put("allow.auto.create.topics", "false");
        // What Courier's subscribers read: an aborted transaction's records, or an open one's, were never delivered.
        config.putIfAbsent("isolation.level", "read_committed");
        if (group != null) {
            config.put("group.id", group);
        }
        return config;
    }
}
