package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.ChildJvm;
import io.courier.cluster.junit.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery guarantees under a real crash: the consuming service runs in its own JVM, is killed with SIGKILL
 * mid-stream, and is started again. What it handled is read back from its log; what it published, from Kafka.
 */
@EmbeddedKafka
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CrashRecoveryIT {
    private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryIT.class);
    private static final int MESSAGES = 5_000;

    @TempDir
    Path dir;

    @Test
    void atLeastOnceHandlesEveryMessageAfterAKillAndCountsTheDuplicates(EmbeddedKafkaCluster cluster) throws Exception {
        Run run = crashAndRestart(cluster, DeliveryGuarantee.AT_LEAST_ONCE,
                log -> distinct(log).size() == MESSAGES);
        LOG.info("AT_LEAST_ONCE: handled {} lines, {} distinct, {} duplicates, killed after {} lines",
                run.handled.size(), distinct(run.handled).size(), duplicates(run.handled), run.handledAtKill);
        assertThat(distinct(run.handled)).as("acked ⊆ handled").containsAll(run.acked);
        assertThat(run.committedAtKill).as("offsets committed at the kill: as it went, and only after handling")
                .isPositive().isLessThanOrEqualTo(run.handledAtKill);
        assertThat(duplicates(run.handled)).as("duplicates: at most what was handled but not committed at the kill")
                .isLessThanOrEqualTo(run.handledAtKill - run.committedAtKill);
    }

    @Test
    void exactlyOnceWritesEveryInputToTheOutputOnceDespiteAKill(EmbeddedKafkaCluster cluster) throws Exception {
        Run run = crashAndRestart(cluster, DeliveryGuarantee.EXACTLY_ONCE,
                log -> committedOutput(cluster, "out-" + DeliveryGuarantee.EXACTLY_ONCE).size() >= MESSAGES);
        List<Integer> output = committedOutput(cluster, "out-" + DeliveryGuarantee.EXACTLY_ONCE);
        LOG.info("EXACTLY_ONCE: output {} records, {} distinct, {} duplicates; handler ran {} times ({} re-runs of "
                        + "aborted transactions), killed after {} lines", output.size(), distinct(output).size(),
                duplicates(output), run.handled.size(), duplicates(run.handled), run.handledAtKill);
        assertThat(distinct(output)).as("every input in the output").containsAll(run.acked);
        assertThat(duplicates(output)).as("duplicates in the read_committed output").isZero();
        assertThat(output).hasSize(MESSAGES);
    }

    /**
     * The predecessor is killed inside a transaction that would stay open for 10 minutes (its
     * {@code transaction.timeout.ms}), after it published part of its batch; read {@code read_committed}, the
     * output cannot move past that transaction until it ends. The output completing well before then shows the
     * restart ended it: the same {@code instanceId} gives the same transactional id, whose new producer fences the
     * old one and aborts its transaction.
     */
    @Test
    void aRestartWithTheSameInstanceIdFencesTheKilledPredecessorsOpenTransactionAtOnce(EmbeddedKafkaCluster cluster)
            throws Exception {
        String in = "in-fenced";
        String out = "out-fenced";
        Path log = dir.resolve("fenced.log");
        Files.createFile(log);
        Set<Integer> acked = publishInput(cluster, in, out);
        String hangAt = Integer.toString(MESSAGES / 5);
        Process first = start(cluster, DeliveryGuarantee.EXACTLY_ONCE, in, out, log, "600000", hangAt);
        String transactionalId;
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> readLog(log).contains(MESSAGES / 5));
            // The handler hangs inside the transaction, so waiting for the broker to see it open is safe.
            transactionalId = await().atMost(Duration.ofMinutes(1)).until(() -> openTransactionOf(cluster, in),
                    java.util.Objects::nonNull);
        } finally {
            first.destroyForcibly().waitFor();
        }
        assertThat(cluster.admin().describeTransactions(List.of(transactionalId)).all().get(30, TimeUnit.SECONDS)
                .get(transactionalId).transactionTimeoutMs()).as("the open transaction's timeout, which the restart "
                        + "must not wait for").isEqualTo(600_000);
        Process second = start(cluster, DeliveryGuarantee.EXACTLY_ONCE, in, out, log, "600000", "none");
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> committedOutput(cluster, out).size() >= MESSAGES);
        } finally {
            second.destroyForcibly().waitFor();
        }
        List<Integer> output = committedOutput(cluster, out);
        assertThat(distinct(output)).as("every input in the output").containsAll(acked);
        assertThat(output).as("each once").hasSize(MESSAGES);
    }

    /** @return the transactional id of the one open transaction of the instance consuming {@code topic}, or null */
    private static String openTransactionOf(EmbeddedKafkaCluster cluster, String topic) throws Exception {
        List<String> open = cluster.admin().listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.transactionalId().contains("-" + topic + "-") && t.state() == TransactionState.ONGOING)
                .map(TransactionListing::transactionalId).toList();
        assertThat(open).as("open transactions of the instance").hasSizeLessThanOrEqualTo(1);
        return open.isEmpty() ? null : open.get(0);
    }

    @Test
    void atMostOnceNeverHandlesAMessageTwiceAndCountsTheLosses(EmbeddedKafkaCluster cluster) throws Exception {
        // At-most-once commits before handling: caught up is not done until the last batch has been handled too,
        // which shows as a log that stopped growing.
        java.util.concurrent.atomic.AtomicInteger lastSize = new java.util.concurrent.atomic.AtomicInteger(-1);
        Run run = crashAndRestart(cluster, DeliveryGuarantee.AT_MOST_ONCE,
                log -> groupCaughtUp(cluster, "crash-in-" + DeliveryGuarantee.AT_MOST_ONCE, "in-" + DeliveryGuarantee.AT_MOST_ONCE)
                        && lastSize.getAndSet(log.size()) == log.size());
        List<Integer> handled = readLog(run.log);
        int lost = MESSAGES - distinct(handled).size();
        LOG.info("AT_MOST_ONCE: handled {} distinct, {} duplicates, {} lost, killed after {} lines",
                distinct(handled).size(), duplicates(handled), lost, run.handledAtKill);
        assertThat(duplicates(handled)).as("no message handled twice").isZero();
        assertThat(run.committedAtKill).as("offsets committed at the kill: before handling")
                .isGreaterThanOrEqualTo(run.handledAtKill);
        assertThat(lost).as("at most the batch in flight at the kill (50 records) is lost").isBetween(0, 50);
    }

    /**
     * @param committedAtKill the records whose offsets the group had committed when the first instance was killed
     *                        (the input's offsets start at 0, so the sum of the committed offsets)
     */
    private record Run(Set<Integer> acked, List<Integer> handled, int handledAtKill, long committedAtKill, Path log) {}

    private interface Done {
        boolean test(List<Integer> handledLog) throws Exception;
    }

    private Run crashAndRestart(EmbeddedKafkaCluster cluster, DeliveryGuarantee g, Done done) throws Exception {
        String in = "in-" + g;
        String out = "out-" + g;
        Path log = dir.resolve(g + ".log");
        Files.createFile(log);
        Set<Integer> acked = publishInput(cluster, in, out);
        Process first = start(cluster, g, in, out, log);
        await().atMost(Duration.ofMinutes(2)).until(() -> readLog(log).size() >= MESSAGES / 3);
        first.destroyForcibly().waitFor(); // SIGKILL: no commit, no close, no goodbye to the group
        int atKill = readLog(log).size();
        assertThat(atKill).as("killed mid-stream").isLessThan(MESSAGES);
        long committedAtKill = cluster.admin().listConsumerGroupOffsets("crash-" + in).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        Process second = start(cluster, g, in, out, log);
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> done.test(readLog(log)));
        } finally {
            second.destroyForcibly().waitFor();
        }
        return new Run(acked, readLog(log), atKill, committedAtKill, log);
    }

    /** Provisions both topics and publishes the input; returns the acknowledged messages. */
    private static Set<Integer> publishInput(EmbeddedKafkaCluster cluster, String in, String out) throws Exception {
        Set<Integer> acked = new TreeSet<>();
        List<String> failures = new java.util.ArrayList<>();
        try (Courier courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).build())) {
            Topic<String, String> input = Topic.builder(in, Serdes.string(), Serdes.string()).partitions(3).build();
            courier.provision(input, Topic.builder(out, Serdes.string(), Serdes.string()).partitions(3).build());
            try (Publisher<String, String> publisher = courier.publisher(input)) {
                List<java.util.concurrent.CompletableFuture<PublishResult>> sends = new java.util.ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    sends.add(publisher.publish("key-" + (i % 100), Integer.toString(i)));
                }
                publisher.flush();
                for (int i = 0; i < MESSAGES; i++) {
                    try {
                        sends.get(i).join();
                        acked.add(i);
                    } catch (java.util.concurrent.CompletionException e) {
                        failures.add(i + ": " + e.getCause());
                    }
                }
            }
            assertThat(failures).as("publish failures before the test starts").isEmpty();
        }
        return acked;
    }

    private static Process start(EmbeddedKafkaCluster cluster, DeliveryGuarantee g, String in, String out, Path log,
            String... transactionTimeoutAndHangAt) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of(cluster.bootstrapServers(), g.name(), in, out,
                log.toString(), "instance-a"));
        args.addAll(List.of(transactionTimeoutAndHangAt));
        return ChildJvm.start(CrashTestService.class, "256m", args.toArray(String[]::new));
    }

    private static List<Integer> readLog(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(s -> !s.isBlank()).map(Integer::parseInt).toList();
    }

    private static List<Integer> committedOutput(EmbeddedKafkaCluster cluster, String topic) {
        return Probe.readAll(cluster.bootstrapServers(), topic, true).stream()
                .map(r -> Integer.parseInt(Probe.text(r.value()))).toList();
    }

    private static boolean groupCaughtUp(EmbeddedKafkaCluster cluster, String group, String topic) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = cluster.admin()
                .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        var ends = cluster.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        return ends.entrySet().stream().allMatch(e -> committed.containsKey(e.getKey())
                && committed.get(e.getKey()).offset() >= e.getValue().offset());
    }

    private static Set<Integer> distinct(List<Integer> values) {
        return values.stream().collect(Collectors.toSet());
    }

    private static long duplicates(List<Integer> values) {
        return values.size() - distinct(values).size();
    }
}
