package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.cluster.ClusterOptions;
import io.courier.cluster.ClusterSecurity;
import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.core.DeadLetter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Kafka tools as a user runs them, in-process through {@link CourierCli#newCommandLine()}, against a real
 * 1-node cluster: what they print, what they leave in the cluster, and how they fail.
 */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaToolsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** What one command run printed and returned. */
    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split(System.lineSeparator()));
        }
    }

    private static Run courier(String... args) {
        return courierWithInput((byte[]) null, args);
    }

    private static Run courierWithInput(String stdin, String... args) {
        return courierWithInput(stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private static Run courierWithInput(byte[] stdin, String... args) {
        CommandLine cli = CourierCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        if (stdin != null) {
            PublishCommand publish = cli.getSubcommands().get("publish").getCommand();
            publish.in = new ByteArrayInputStream(stdin);
        }
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    private static Run ok(Run run) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.err()).isEmpty();
        return run;
    }

    @Test
    void createsListsAndDescribesTopics(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        assertThat(ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.inventory",
                "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=3600000",
                "--config", "cleanup.policy=compact")).out()).isEqualTo("Created topic tools.inventory." + System.lineSeparator());
        // A consumer group's commit makes Kafka create its internal __consumer_offsets topic, for --internal to show.
        cluster.admin().alterConsumerGroupOffsets("tools-any-group", Map.of(new TopicPartition(
                "tools.inventory", 0), new OffsetAndMetadata(0))).all().get(30, TimeUnit.SECONDS);

        assertThat(ok(courier("topics", "list", "--bootstrap-servers", servers)).lines())
                .contains("tools.inventory").isSorted().doesNotContain("__consumer_offsets");
        assertThat(ok(courier("topics", "list", "--bootstrap-servers", servers, "--internal")).lines())
                .contains("tools.inventory", "__consumer_offsets")
                .containsExactlyInAnyOrderElementsOf(cluster.admin().listTopics(new ListTopicsOptions().listInternal(true))
                        .names().get(30, TimeUnit.SECONDS));

        List<String> described = ok(courier("topics", "describe", "--bootstrap-servers", servers, "--topic", "tools.inventory")).lines();
        assertThat(described).hasSize(4);
        assertThat(described.get(0)).matches("Topic: tools\\.inventory\tTopicId: \\S+\tPartitionCount: 3\tReplicationFactor: 1"
                + "\tConfigs: cleanup\\.policy=compact,retention\\.ms=3600000");
        int node = cluster.nodeIds().get(0);
        for (int p = 0; p < 3; p++) {
            assertThat(described.get(p + 1)).isEqualTo("\tTopic: tools.inventory\tPartition: " + p + "\tLeader: " + node
                    + "\tReplicas: " + node + "\tIsr: " + node);
        }
    }

    @Test
    void refusesTopicsTheClusterCannotHoldWithOneLine(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        Run tooManyReplicas = courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.replicated",
                "--partitions", "1", "--replication-factor", "3");
        assertThat(tooManyReplicas.exitCode()).isEqualTo(1);
        assertThat(tooManyReplicas.err()).isEqualTo("courier topics create: cannot create topic 'tools.replicated' with "
                + "--replication-factor 3: the cluster at " + servers + " has only 1 broker(s); use at most 1"
                + System.lineSeparator());
        assertThat(cluster.admin().listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("tools.replicated");

        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.existing"));
        Run existing = courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.existing");
        assertThat(existing.exitCode()).isEqualTo(1);
        assertThat(existing.err()).isEqualTo("courier topics create: topic 'tools.existing' already exists at " + servers
                + System.lineSeparator());

        Run unknownConfig = courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.configured",
                "--config", "retention.forever=true");
        assertThat(unknownConfig.exitCode()).isEqualTo(1);
        assertThat(unknownConfig.err()).startsWith("courier topics create: cannot create topic 'tools.configured' at "
                + servers + ": ").contains("retention.forever").hasLineCount(1);

        Run missing = courier("topics", "describe", "--bootstrap-servers", servers, "--topic", "tools.missing");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("courier topics describe: topic 'tools.missing' does not exist at " + servers
                + System.lineSeparator());
    }

    @Test
    void publishedLinesCarryTheEnvelopeAndReadBackAsJson(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.orders", "--partitions", "3"));
        Run published = ok(courierWithInput("placed\npaid\nshipped\n", "publish", "--bootstrap-servers", servers,
                "--topic", "tools.orders", "--key", "order-7", "--header", "tenant=acme"));
        // One key, one partition: the three offsets follow each other there.
        assertThat(published.lines()).hasSize(3);
        String partition = published.lines().get(0).replaceAll("tools\\.orders-(\\d)@0", "$1");
        assertThat(published.lines()).containsExactly("tools.orders-" + partition + "@0", "tools.orders-" + partition + "@1",
                "tools.orders-" + partition + "@2");

        long before = System.currentTimeMillis() - 60_000;
        List<String> lines = ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.orders",
                "--from-beginning", "--max", "3", "--format", "json")).lines();
        assertThat(lines).hasSize(3);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode record = JSON.readTree(lines.get(i));
            assertThat(record.fieldNames()).toIterable()
                    .containsExactly("topic", "partition", "offset", "timestamp", "key", "value", "headers");
            assertThat(record.get("topic").asText()).isEqualTo("tools.orders");
            assertThat(record.get("partition").asInt()).isEqualTo(Integer.parseInt(partition));
            assertThat(record.get("offset").asLong()).isEqualTo(i);
            assertThat(record.get("timestamp").asLong()).isBetween(before, System.currentTimeMillis());
            assertThat(record.get("key").asText()).isEqualTo("order-7");
            values.add(record.get("value").asText());
            JsonNode headers = record.get("headers");
            assertThat(headers.get("tenant").asText()).isEqualTo("acme");
            assertThat(headers.get("courier-envelope").asText()).as("the default, compact envelope")
                    .startsWith("1|String|courier-cli|");
        }
        assertThat(values).containsExactly("placed", "paid", "shipped");

        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.ce"));
        ok(courier("publish", "--bootstrap-servers", servers, "--topic", "tools.ce", "--value", "refunded",
                "--envelope", "CLOUD_EVENTS"));
        JsonNode ce = JSON.readTree(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.ce",
                "--from-beginning", "--max", "1", "--format", "json")).lines().get(0)).get("headers");
        assertThat(ce.get("ce_type").asText()).isEqualTo("String");
        assertThat(ce.get("ce_source").asText()).isEqualTo("courier-cli");
        assertThat(ce.get("ce_id").asText()).isNotBlank();
        assertThat(ce.has("courier-envelope")).isFalse();

        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.binary"));
        String at = ok(courier("publish", "--bootstrap-servers", servers, "--topic", "tools.binary", "--value",
                "returned", "--envelope", "BINARY")).lines().get(0);
        assertThat(at).isEqualTo("tools.binary-0@0");
        JsonNode binary = JSON.readTree(ok(courier("consume", "--bootstrap-servers", servers, "--topic",
                "tools.binary", "--from-beginning", "--max", "1", "--format", "json")).lines().get(0));
        assertThat(binary.get("value").asText()).isEqualTo("returned");
        assertThat(binary.get("headers").fieldNames()).toIterable().containsExactly("courier");
        assertThat(binary.get("headers").get("courier").asText()).as("the binary envelope, printed as text")
                .matches("1\\|String\\|courier-cli\\|text/plain; charset=utf-8\\|\\d{13}\\|[0-9a-f-]{36}");
    }

    @Test
    void publishesAValueAndAWholeFileAndPrintsValuesAsText(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.text", "--partitions", "1"));
        Path file = Files.writeString(dir.resolve("order.txt"), "first line\nsecond line\n", StandardCharsets.UTF_8);
        assertThat(ok(courierWithInput("a\nb\n", "publish", "--bootstrap-servers", servers, "--topic", "tools.text")).lines())
                .containsExactly("tools.text-0@0", "tools.text-0@1");
        assertThat(ok(courier("publish", "--bootstrap-servers", servers, "--topic", "tools.text", "--value", "single")).lines())
                .containsExactly("tools.text-0@2");
        assertThat(ok(courier("publish", "--bootstrap-servers", servers, "--topic", "tools.text", "--file", file.toString())).lines())
                .containsExactly("tools.text-0@3");
        // Exactly one final line break goes, \n or \r\n; a blank line before it stays; a file without one is whole.
        Map<String, String> endings = new LinkedHashMap<>();
        endings.put("crlf.txt", "first line\r\nsecond line\r\n");
        endings.put("blank-line.txt", "first line\n\n");
        endings.put("no-break.txt", "first line\nsecond line");
        long offset = 4;
        for (Map.Entry<String, String> ending : endings.entrySet()) {
            Path f = Files.writeString(dir.resolve(ending.getKey()), ending.getValue(), StandardCharsets.UTF_8);
            assertThat(ok(courier("publish", "--bootstrap-servers", servers, "--topic", "tools.text", "--file",
                    f.toString())).lines()).containsExactly("tools.text-0@" + offset++);
        }

        Set<String> groupsBefore = groups(cluster);
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.text", "--from-beginning",
                "--max", "4")).lines()).containsExactly("a", "b", "single", "first line", "second line");
        // lines() drops a trailing empty line: the exact value shows that --file left out the file's last line break.
        List<String> json = ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.text",
                "--from-beginning", "--max", "7", "--format", "json")).lines();
        assertThat(json).hasSize(7);
        JsonNode fromFile = JSON.readTree(json.get(3));
        assertThat(fromFile.get("offset").asLong()).as("offset of the --file record").isEqualTo(3);
        assertThat(fromFile.get("value").asText()).as("value of the --file record: the file without its final line break")
                .isEqualTo("first line\nsecond line");
        List<String> values = new ArrayList<>();
        for (String line : json.subList(4, 7)) {
            values.add(JSON.readTree(line).get("value").asText());
        }
        assertThat(values).as("values of the files ending in \\r\\n, in a blank line and \\n, and in no line break")
                .containsExactly("first line\r\nsecond line", "first line\n", "first line\nsecond line");
        // Without --from-beginning a consumer starts at the end: the seven records are behind it.
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.text", "--timeout", "2s")).out())
                .isEmpty();
        assertThat(groups(cluster)).as("consumer groups after three consume runs without --group: none joined or "
                + "committed to").isEqualTo(groupsBefore);

        Run missingTopic = courier("publish", "--bootstrap-servers", servers, "--topic", "tools.nowhere", "--value", "v");
        assertThat(missingTopic.exitCode()).isEqualTo(1);
        assertThat(missingTopic.err()).isEqualTo("courier publish: topic 'tools.nowhere' does not exist at " + servers
                + System.lineSeparator());
    }

    @Test
    void aGroupCommitsWhatItPrintedAndTheNextRunContinuesThere(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.grouped", "--partitions", "1"));
        ok(courierWithInput("one\ntwo\nthree\n", "publish", "--bootstrap-servers", servers, "--topic", "tools.grouped"));

        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.grouped", "--group", "tools-g",
                "--from-beginning", "--max", "2")).lines()).containsExactly("one", "two");
        assertThat(committed(cluster, "tools-g", "tools.grouped")).isEqualTo(2);
        // No --from-beginning: the group's committed offset decides where it starts, not "latest".
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.grouped", "--group", "tools-g",
                "--timeout", "5s")).lines()).containsExactly("three");
        assertThat(committed(cluster, "tools-g", "tools.grouped")).isEqualTo(3);
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.grouped", "--group", "tools-g",
                "--timeout", "2s")).out()).isEmpty();
    }

    @Test
    void aLineOfStandardInputThatIsNotUtf8IsRefusedNamingItAfterTheLinesBeforeItArePublished(EmbeddedKafkaCluster cluster)
            throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.latin1", "--partitions", "1"));
        byte[] input = ("first\ncaf\u00e9\nthird\n").getBytes(StandardCharsets.ISO_8859_1);

        Run run = courierWithInput(input, "publish", "--bootstrap-servers", servers, "--topic", "tools.latin1");

        assertThat(run.exitCode()).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(run.err()).isEqualTo("courier publish: line 2 of standard input is not UTF-8 text; nothing from it "
                + "on was published (the 1 line(s) before it were)" + System.lineSeparator());
        assertThat(run.lines()).containsExactly("tools.latin1-0@0");
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.latin1", "--from-beginning",
                "--timeout", "3s")).lines()).containsExactly("first");
    }

    @Test
    void aLineTheClusterRefusesStopsPublishNamingItAndSaysWhatBecameOfTheLinesSentAfterIt(EmbeddedKafkaCluster cluster)
            throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.small", "--partitions", "1",
                "--config", "max.message.bytes=1000"));
        String input = "first\n" + "x".repeat(2_000) + "\nthird\n";

        Run run = courierWithInput(input, "publish", "--bootstrap-servers", servers, "--topic", "tools.small");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("courier publish: line 2 of standard input was not acknowledged by topic "
                + "'tools.small': RecordTooLargeException").endsWith("; of the 1 line(s) sent after it, 1 were "
                + "acknowledged (not printed); nothing further was read" + System.lineSeparator());
        assertThat(run.lines()).containsExactly("tools.small-0@0");
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.small", "--from-beginning",
                "--timeout", "3s")).lines()).containsExactly("first", "third");
    }

    @Test
    void aClosedOutputStopsConsumeWithoutCommittingWhatItCouldNotWrite(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.closed", "--partitions", "1"));
        ok(courierWithInput("one\ntwo\n", "publish", "--bootstrap-servers", servers, "--topic", "tools.closed"));
        CommandLine cli = CourierCli.newCommandLine();
        StringWriter err = new StringWriter();
        // What a pipe whose reader has exited (| head -1) does to every write.
        cli.setOut(new PrintWriter(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        }, true));
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("consume", "--bootstrap-servers", servers, "--topic", "tools.closed", "--group",
                "tools-closed", "--from-beginning", "--timeout", "10s");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("courier consume: cannot write to standard output")
                .contains("'tools.closed'", "'tools-closed'");
        assertThat(cluster.admin().listConsumerGroupOffsets("tools-closed").partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS)).as("nothing committed for records nobody got").isEmpty();
    }

    @Test
    void aGroupThatPrintedNothingStillGetsWhatWasPublishedBeforeItsNextRun(EmbeddedKafkaCluster cluster)
            throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.quiet", "--partitions", "1"));
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.quiet", "--group",
                "tools-q", "--timeout", "3s")).out()).as("nothing there yet").isEmpty();
        assertThat(committed(cluster, "tools-q", "tools.quiet")).as("where it started").isZero();

        ok(courier("publish", "--bootstrap-servers", servers, "--topic", "tools.quiet", "--value", "meanwhile"));

        // Without a committed offset the second run would start at the latest offset, after "meanwhile".
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.quiet", "--group",
                "tools-q", "--timeout", "3s")).lines()).containsExactly("meanwhile");
    }

    @Test
    void consumeReadsCommittedTransactionsOnlyUnlessTheCommandConfigSaysOtherwise(EmbeddedKafkaCluster cluster)
            throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.tx", "--partitions", "1"));
        Map<String, Object> config = new java.util.HashMap<>(cluster.clientProperties());
        config.put("transactional.id", "tools-tx");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tools.tx", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tools.tx", "committed"));
            producer.commitTransaction();
        }

        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.tx", "--from-beginning",
                "--timeout", "3s")).lines()).containsExactly("committed");
        Path uncommitted = dir.resolve("uncommitted.properties");
        Files.writeString(uncommitted, "isolation.level=read_uncommitted\n");
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.tx", "--from-beginning",
                "--timeout", "3s", "--command-config", uncommitted.toString())).lines())
                .containsExactly("aborted", "committed");
    }

    @Test
    void fromBeginningIsIgnoredOnceTheGroupHasCommittedOffsets(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.rewind", "--partitions", "1"));
        ok(courierWithInput("one\ntwo\n", "publish", "--bootstrap-servers", servers, "--topic", "tools.rewind"));
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.rewind", "--group", "tools-r",
                "--from-beginning", "--max", "2")).lines()).containsExactly("one", "two");

        ok(courier("publish", "--bootstrap-servers", servers, "--topic", "tools.rewind", "--value", "three"));
        // A rewind would print "one" first: the group's committed offset wins over --from-beginning.
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--topic", "tools.rewind", "--group", "tools-r",
                "--from-beginning", "--max", "1")).lines()).containsExactly("three");
        assertThat(committed(cluster, "tools-r", "tools.rewind")).isEqualTo(3);
    }

    /** @return every group the broker knows, consumer groups included */
    private static Set<String> groups(EmbeddedKafkaCluster cluster) throws Exception {
        return cluster.admin().listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
                .collect(Collectors.toSet());
    }

    private static long committed(EmbeddedKafkaCluster cluster, String group, String topic) throws Exception {
        return cluster.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .get(new TopicPartition(topic, 0)).offset();
    }

    @Test
    void replaysDeadLettersToTheirOriginalTopic(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "orders", "--partitions", "1"));
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "orders.dlt", "--partitions", "1"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers,
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName()))) {
            for (int i = 0; i < 3; i++) {
                ProducerRecord<String, String> dead = new ProducerRecord<>("orders.dlt", "order-" + i, "{\"order\":" + i + "}");
                header(dead, DeadLetter.Headers.ORIGINAL_TOPIC, "orders");
                header(dead, DeadLetter.Headers.ORIGINAL_PARTITION, "0");
                header(dead, DeadLetter.Headers.ORIGINAL_OFFSET, Integer.toString(40 + i));
                header(dead, DeadLetter.Headers.EXCEPTION_CLASS, "java.lang.IllegalStateException");
                header(dead, DeadLetter.Headers.EXCEPTION_MESSAGE, "stock service down");
                header(dead, DeadLetter.Headers.ATTEMPTS, "3");
                header(dead, DeadLetter.Headers.GROUP, "billing");
                header(dead, "ce_type", "OrderPlaced");
                producer.send(dead).get(30, TimeUnit.SECONDS);
            }
        }

        assertThat(ok(courier("dlt", "replay", "--bootstrap-servers", servers, "--topic", "orders.dlt", "--max", "2",
                "--group", "tools-replay")).out())
                .isEqualTo("Replayed 2 record(s) from dead-letter topic 'orders.dlt', skipped 0." + System.lineSeparator());
        // The group remembers: the next run replays only the third, the one after that nothing.
        assertThat(ok(courier("dlt", "replay", "--bootstrap-servers", servers, "--topic", "orders.dlt", "--rate", "50",
                "--group", "tools-replay")).out()).startsWith("Replayed 1 record(s)");
        assertThat(ok(courier("dlt", "replay", "--bootstrap-servers", servers, "--topic", "orders.dlt",
                "--group", "tools-replay")).out()).startsWith("Replayed 0 record(s)");

        List<String> lines = ok(courier("consume", "--bootstrap-servers", servers, "--topic", "orders", "--from-beginning",
                "--max", "3", "--format", "json")).lines();
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode record = JSON.readTree(lines.get(i));
            assertThat(record.get("key").asText()).isEqualTo("order-" + i);
            assertThat(record.get("value").asText()).isEqualTo("{\"order\":" + i + "}");
            assertThat(record.get("headers").get("ce_type").asText()).isEqualTo("OrderPlaced");
            assertThat(record.get("headers").get(DeadLetter.Headers.REPLAYED_FROM).asText()).isEqualTo("orders.dlt-0@" + i);
            assertThat(record.get("headers").get(DeadLetter.Headers.ORIGINAL_TOPIC)).as("dead-letter headers removed").isNull();
        }

        Run missing = courier("dlt", "replay", "--bootstrap-servers", servers, "--topic", "orders.dlq");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("courier dlt replay: dead-letter topic 'orders.dlq' does not exist at "
                + servers + System.lineSeparator());
        assertThat(cluster.admin().listTopics().names().get(30, TimeUnit.SECONDS)).as("not auto-created")
                .doesNotContain("orders.dlq");
    }

    @Test
    void replayListsTheRecordsThatAreNotDeadLettersAndStillReplaysTheOthers(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "payments", "--partitions", "1"));
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "payments.dlt", "--partitions", "1"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers,
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName()))) {
            // Another tool's dead letter, with its own header names, then one of Courier's.
            ProducerRecord<String, String> foreign = new ProducerRecord<>("payments.dlt", "p-1", "{\"payment\":1}");
            header(foreign, "kafka_dlt-original-topic", "payments");
            producer.send(foreign).get(30, TimeUnit.SECONDS);
            ProducerRecord<String, String> dead = new ProducerRecord<>("payments.dlt", "p-2", "{\"payment\":2}");
            header(dead, DeadLetter.Headers.ORIGINAL_TOPIC, "payments");
            producer.send(dead).get(30, TimeUnit.SECONDS);
        }

        Run run = ok(courier("dlt", "replay", "--bootstrap-servers", servers, "--topic", "payments.dlt"));

        assertThat(run.lines()).containsExactly(
                "Replayed 1 record(s) from dead-letter topic 'payments.dlt', skipped 0.",
                "Left 1 record(s) in place that are not Courier dead letters, and moved past them:",
                "  payments.dlt-0@0 has no " + DeadLetter.Headers.ORIGINAL_TOPIC + " header, so it is not a Courier "
                        + "dead letter and cannot be replayed");
        List<String> replayed = ok(courier("consume", "--bootstrap-servers", servers, "--topic", "payments",
                "--from-beginning", "--max", "1", "--format", "json")).lines();
        assertThat(JSON.readTree(replayed.get(0)).get("key").asText()).isEqualTo("p-2");
        assertThat(ok(courier("dlt", "replay", "--bootstrap-servers", servers, "--topic", "payments.dlt")).out())
                .as("the next replay does not stop at it either")
                .isEqualTo("Replayed 0 record(s) from dead-letter topic 'payments.dlt', skipped 0." + System.lineSeparator());
    }

    private static void header(ProducerRecord<String, String> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aCommandConfigDoesNotOverrideTheSettingsACommandOwns(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.owned", "--partitions", "1"));
        Path config = dir.resolve("owned.properties");
        Files.writeString(config, "acks=0\nenable.auto.commit=true\nauto.offset.reset=earliest\n", StandardCharsets.UTF_8);
        String file = config.toString();

        // acks=0 would leave the offset unknown (-1), or clash with the idempotence publish sets.
        assertThat(ok(courierWithInput("one\ntwo\nthree\n", "publish", "--bootstrap-servers", servers,
                "--command-config", file, "--topic", "tools.owned")).lines())
                .containsExactly("tools.owned-0@0", "tools.owned-0@1", "tools.owned-0@2");
        // A new group without --from-beginning starts at the end: auto.offset.reset=earliest would print all three.
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--command-config", file, "--topic",
                "tools.owned", "--group", "tools-new", "--timeout", "2s")).out()).isEmpty();
        // enable.auto.commit=true would commit the whole poll (3) when the consumer closes.
        assertThat(ok(courier("consume", "--bootstrap-servers", servers, "--command-config", file, "--topic",
                "tools.owned", "--group", "tools-o", "--from-beginning", "--max", "1")).lines()).containsExactly("one");
        assertThat(committed(cluster, "tools-o", "tools.owned")).isEqualTo(1);
    }

    @Test
    void aCommandConfigEntryOnlyTheProducerRejectsIsOneLineNamingIt(EmbeddedKafkaCluster cluster) throws Exception {
        String servers = cluster.bootstrapServers();
        ok(courier("topics", "create", "--bootstrap-servers", servers, "--topic", "tools.badconfig", "--partitions", "1"));
        Path config = dir.resolve("producer.properties");
        // The admin client that checks the topic ignores buffer.memory; the producer created after it does not.
        Files.writeString(config, "buffer.memory=plenty\n", StandardCharsets.UTF_8);

        Run run = courier("publish", "--bootstrap-servers", servers, "--command-config", config.toString(), "--topic",
                "tools.badconfig", "--value", "v");

        assertThat(run.exitCode()).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(run.err()).isEqualTo("courier publish: a Kafka client setting is invalid: ConfigException: Invalid "
                + "value plenty for configuration buffer.memory: Not a number of type LONG" + System.lineSeparator());

        // One that Kafka's producer wraps ("Failed to construct kafka producer"): the same.
        Files.writeString(config, "delivery.timeout.ms=1000\n", StandardCharsets.UTF_8);
        Run wrapped = courier("publish", "--bootstrap-servers", servers, "--command-config", config.toString(),
                "--topic", "tools.badconfig", "--value", "v");
        assertThat(wrapped.exitCode()).as(wrapped.err()).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(wrapped.err()).startsWith("courier publish: a Kafka client setting is invalid: ConfigException: ")
                .contains("delivery.timeout.ms");

        // The same for a setting only the consumer reads: bad input too, not something the cluster refused.
        Files.writeString(config, "max.poll.records=lots\n", StandardCharsets.UTF_8);
        Run consume = courier("consume", "--bootstrap-servers", servers, "--command-config", config.toString(),
                "--topic", "tools.badconfig", "--max", "1");
        assertThat(consume.exitCode()).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(consume.err()).startsWith("courier consume: a Kafka client setting is invalid: ConfigException: "
                + "Invalid value lots for configuration max.poll.records");
    }

    @Test
    void worksAgainstASecuredClusterThroughTheCommandConfig() throws Exception {
        try (EmbeddedKafkaCluster secured = EmbeddedKafkaCluster.start(ClusterOptions.builder()
                .security(ClusterSecurity.saslPlaintext()).build())) {
            String file = CommandConfigFiles.write(secured, dir);
            // bootstrap.servers comes from the file, as do the SCRAM settings, in every client of every command.
            ok(courier("topics", "create", "--command-config", file, "--topic", "tools.secured", "--partitions", "1"));
            assertThat(ok(courier("topics", "list", "--command-config", file)).lines()).contains("tools.secured");
            assertThat(ok(courier("publish", "--command-config", file, "--topic", "tools.secured", "--value", "secret")).lines())
                    .containsExactly("tools.secured-0@0");
            assertThat(ok(courier("consume", "--command-config", file, "--topic", "tools.secured", "--group", "tools-s",
                    "--from-beginning", "--max", "1")).lines()).containsExactly("secret");

            Path wrong = dir.resolve("wrong-password.properties");
            Files.writeString(wrong, Files.readString(Path.of(file)).replace("admin-secret", "not-the-password"));
            Run refused = courier("topics", "list", "--command-config", wrong.toString());
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err().lines()).singleElement().asString()
                    .startsWith("courier topics list: cannot authenticate to Kafka at " + secured.bootstrapServers()
                            + ": Authentication failed during authentication due to invalid credentials with SASL "
                            + "mechanism SCRAM-SHA-512; check the client's security settings");
        }
    }

    @Test
    void benchComparePublishPrintsTheTableAndWritesJson(EmbeddedKafkaCluster cluster) throws IOException {
        Path json = dir.resolve("bench.json");
        Run run = ok(courier("bench", "compare-publish", "--bootstrap-servers", cluster.bootstrapServers(),
                "--records", "500", "--record-size", "256", "--rounds", "2", "--rate", "200",
                "--latency-duration", "1s", "--envelope", "COMPACT", "--batch-size", "32768", "--raw-envelope",
                "--slices", "5", "--json", json.toString()));
        assertThat(run.out()).contains("Comparing Courier (COMPACT envelope) with raw kafka-clients (its records "
                + "carrying a constant copy of that envelope)", "batch.size 32768, 5 slice(s) per round",
                "Courier / raw (geometric mean of back-to-back pairs) throughput:", "95% interval", "over 2 pairs",
                "Wrote " + json);
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertThat(result.get("rounds")).hasSize(8);
        assertThat(result.get("settings").get("latencyDuration").asText()).isEqualTo("PT1S");
        assertThat(result.get("settings").get("envelope").asText()).isEqualTo("COMPACT");
        assertThat(result.get("settings").get("batchSize").asInt()).isEqualTo(32768);
        assertThat(result.get("settings").get("rawEnvelope").asBoolean()).isTrue();
        assertThat(result.get("settings").get("slices").asInt()).isEqualTo(5);
        assertThat(result.get("rounds").get(0).get("sendCpuMicros").asDouble()).isPositive();
        double ratio = result.get("throughputRatio").asDouble();
        assertThat(ratio).isPositive();
        assertThat(result.get("throughputInterval").get("low").asDouble()).isLessThanOrEqualTo(ratio);
        assertThat(result.get("throughputInterval").get("high").asDouble()).isGreaterThanOrEqualTo(ratio);
        assertThat(result.get("rounds").get(4).get("latency").get("count").asLong()).isEqualTo(200);
    }

    @Test
    void unreachableServersEndWithOneLineNamingThem() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Run run = courier("publish", "--bootstrap-servers", "localhost:" + port, "--topic", "orders", "--value", "v");
        assertThat(run.exitCode()).isEqualTo(1);
        // publish connects with ConnectionOptions.REQUEST_TIMEOUT, 15 s, as no --command-config sets another.
        assertThat(run.err()).as("one line naming the servers, the timeout as docs/cli.md quotes it, and what to check")
                .startsWith("courier publish: cannot reach Kafka at localhost:" + port + " within 15s (bootstrap.servers); "
                        + "check the addresses, the security settings and that the cluster is running")
                .hasLineCount(1).doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }
}
