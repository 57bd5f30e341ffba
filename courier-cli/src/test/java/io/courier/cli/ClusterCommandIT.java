package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.EmbeddedKafkaCluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the README's first command, {@code ./courier cluster}, as a user would: a process, its output, a signal. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterCommandIT {
    private static final Path LAUNCHER = Path.of("..", "courier").toAbsolutePath().normalize();

    @Test
    void startsAThreeNodeClusterThatPlainClientsUseAndStopsCleanlyOnSigterm() throws Exception {
        Process process = launch("cluster", "--brokers", "3", "--port", "0");
        BlockingQueue<String> lines = pump(process);
        try {
            // The README's four lines, in order.
            assertThat(awaitLine(lines, "Apache Kafka cluster ", Duration.ofMinutes(2)))
                    .matches("Apache Kafka cluster \\S+: 3 node\\(s\\), KRaft mode");
            String bootstrap = awaitLine(lines, "bootstrap.servers=", Duration.ofSeconds(10)).substring("bootstrap.servers=".length());
            assertThat(bootstrap.split(",")).hasSize(3).allMatch(s -> s.matches("localhost:\\d+"));
            String started = awaitLine(lines, "Started in ", Duration.ofSeconds(10));
            assertThat(started).matches("Started in \\d+\\.\\d s\\. Data: .+");
            Path dataDir = Path.of(started.substring(started.indexOf("Data: ") + "Data: ".length()));
            assertThat(dataDir).isDirectory();
            assertThat(awaitLine(lines, "Press ", Duration.ofSeconds(10))).isEqualTo("Press Ctrl-C to stop.");

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
                admin.createTopics(List.of(new NewTopic("cli-replicated", 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
            }
            assertThat(roundTrip(bootstrap, "cli-replicated", 100)).hasSize(100);

            // SIGTERM, as a service manager would send; Process.destroy() would also close our end of its output.
            process.toHandle().destroy();
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("stopped within 2 minutes").isTrue();
            awaitLine(lines, "Cluster stopped.", Duration.ofSeconds(10));
            assertThat(dataDir).doesNotExist();
        } finally {
            stopQuietly(process);
        }
    }

    @Test
    void aPortInUseEndsWithTheReasonAndNoStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Process process = launch("cluster", "--port", Integer.toString(taken.getLocalPort()));
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
            assertThat(output).contains("courier cluster: port " + taken.getLocalPort() + " is already in use")
                    .doesNotContain("\tat ", "Exception in thread");
            // The launcher's own note, when it built the tool first, is not the command's output.
            assertThat(output.lines().filter(line -> !line.isBlank() && !line.startsWith("courier: building")))
                    .as("one line: %s", output).hasSize(1);
        }
    }

    @Test
    void aSaslSslClusterWritesAClientConfigThatTheOtherCommandsReachItWith() throws Exception {
        Process process = launch("cluster", "--security", "sasl_ssl", "--port", "0");
        BlockingQueue<String> lines = pump(process);
        try {
            String bootstrap = awaitLine(lines, "bootstrap.servers=", Duration.ofMinutes(2)).substring("bootstrap.servers=".length());
            Path config = Path.of(awaitLine(lines, "client.config=", Duration.ofSeconds(10)).substring("client.config=".length()));
            assertThat(config).isRegularFile().hasFileName("client.properties");
            Properties written = new Properties();
            try (Reader in = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
                written.load(in);
            }
            assertThat(written).containsEntry("bootstrap.servers", bootstrap).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsKey("ssl.truststore.certificates");

            // The file alone gives the servers, the admin's SCRAM credentials and the TLS trust.
            String file = config.toString();
            assertThat(cli("topics", "create", "--command-config", file, "--topic", "cli-secured")).isEqualTo("Created topic cli-secured.");
            assertThat(cli("topics", "list", "--command-config", file).split(System.lineSeparator())).contains("cli-secured");

            process.toHandle().destroy();
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("stopped within 2 minutes").isTrue();
        } finally {
            stopQuietly(process);
        }
    }

    @Test
    void textOutsideAsciiSurvivesTheLauncherUnderTheCLocale() throws Exception {
        String text = "caf\u00e9 \u2603";
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
            String servers = cluster.bootstrapServers();
            cluster.createTopic("cli-text", 1, 1, Map.of());

            ProcessResult published = runInCLocale(Map.of(), "publish", "--bootstrap-servers", servers, "--topic", "cli-text",
                    "--value", text);
            ProcessResult consumed = runInCLocale(Map.of(), "consume", "--bootstrap-servers", servers, "--topic", "cli-text",
                    "--from-beginning", "--max", "1");

            assertThat(published.exitCode()).as("publish: %s", published.output()).isZero();
            assertThat(consumed.exitCode()).as("consume: %s", consumed.output()).isZero();
            assertThat(consumed.output()).isEqualTo(text + System.lineSeparator());
            // Where no UTF-8 locale helps, the JVM's default charset stays ASCII: the tool still writes UTF-8.
            ProcessResult ascii = runInCLocale(Map.of("JAVA_OPTS", "-Dfile.encoding=US-ASCII"), "consume",
                    "--bootstrap-servers", servers, "--topic", "cli-text", "--from-beginning", "--max", "1");
            assertThat(ascii.output()).isEqualTo(text + System.lineSeparator());
        }
    }

    @Test
    void aConsumeStoppedBySigtermHasCommittedWhatItPrintedAndLeftItsGroup() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
            String servers = cluster.bootstrapServers();
            cluster.createTopic("cli-stopped", 1, 1, Map.of());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers,
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", StringSerializer.class.getName()))) {
                for (String v : List.of("one", "two", "three")) {
                    producer.send(new ProducerRecord<>("cli-stopped", v)).get(30, TimeUnit.SECONDS);
                }
            }
            Process process = launch("consume", "--bootstrap-servers", servers, "--topic", "cli-stopped", "--group",
                    "cli-stopped-g", "--from-beginning");
            BlockingQueue<String> lines = pump(process);
            try {
                awaitLine(lines, "three", Duration.ofMinutes(2));

                process.toHandle().destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook stops the poll loop
                assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("stopped within a minute").isTrue();

                assertThat(cluster.admin().listConsumerGroupOffsets("cli-stopped-g").partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).get(new TopicPartition("cli-stopped", 0)).offset()).isEqualTo(3);
                // A consumer that was not closed would stay a member until its session timed out (45 s).
                assertThat(cluster.admin().describeConsumerGroups(List.of("cli-stopped-g")).all().get(30, TimeUnit.SECONDS)
                        .get("cli-stopped-g").members()).isEmpty();
            } finally {
                stopQuietly(process);
            }
        }
    }

    /**
     * A replay stopped by a signal says how far it got, and the next replay with the group goes on from there:
     * every dead letter reaches its topic, at most the one under way at the stop twice.
     */
    @Test
    void aDltReplayStoppedBySigtermSaysHowFarItGotAndTheNextReplayGoesOn() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
            String servers = cluster.bootstrapServers();
            cluster.createTopic("cli-replayed", 1, 1, Map.of());
            cluster.createTopic("cli-replayed.dlt", 1, 1, Map.of());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", servers,
                    "key.serializer", StringSerializer.class.getName(),
                    "value.serializer", StringSerializer.class.getName()))) {
                for (int i = 0; i < 20; i++) {
                    ProducerRecord<String, String> dead = new ProducerRecord<>("cli-replayed.dlt", "k" + i, "v" + i);
                    dead.headers().add(io.courier.core.DeadLetter.Headers.ORIGINAL_TOPIC,
                            "cli-replayed".getBytes(StandardCharsets.UTF_8));
                    producer.send(dead).get(30, TimeUnit.SECONDS);
                }
            }
            Process process = launch("dlt", "replay", "--bootstrap-servers", servers, "--topic", "cli-replayed.dlt",
                    "--rate", "2", "--group", "cli-replay-g");
            BlockingQueue<String> lines = pump(process);
            try {
                await().atMost(Duration.ofMinutes(2)).until(() -> endOffset(cluster, "cli-replayed") >= 2);

                process.toHandle().destroy(); // SIGTERM, as Ctrl-C's SIGINT
                assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("stopped within a minute").isTrue();
                assertThat(awaitLine(lines, "courier dlt replay: stopped by a signal: ", Duration.ofSeconds(10)))
                        .contains("before it stopped it replayed ");
            } finally {
                stopQuietly(process);
            }
            long replayedBefore = endOffset(cluster, "cli-replayed");
            assertThat(replayedBefore).as("stopped part-way").isBetween(2L, 19L);

            String rest = cli("dlt", "replay", "--bootstrap-servers", servers, "--topic", "cli-replayed.dlt",
                    "--rate", "1000", "--group", "cli-replay-g");

            long replayedAfter = Long.parseLong(rest.replaceAll("^Replayed (\\d+) record.*$", "$1"));
            assertThat(replayedBefore + replayedAfter).as("all twenty, the one under way at the stop perhaps twice")
                    .isBetween(20L, 21L);
            assertThat(endOffset(cluster, "cli-replayed")).isEqualTo(replayedBefore + replayedAfter);
        }
    }

    private static long endOffset(EmbeddedKafkaCluster cluster, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return cluster.admin().listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
                .get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    /**
     * Lines piped into {@code publish} run up to a thousand sends ahead of their printed offsets. Stopped by a
     * signal, it sends nothing more and prints the offsets of what it sent, as Kafka's console producer closes its
     * producer: the printed offsets are exactly the topic's records. Before, sends still in the producer's buffer
     * were published unreported, or lost.
     */
    @Test
    void aPublishStoppedBySigtermPrintsTheOffsetOfEveryRecordItPublished() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
            cluster.createTopic("cli-piped", 1, 1, Map.of());
            Path errors = Files.createTempFile("courier-publish", ".err");
            // Standard error apart: the launcher or the JVM may print notices there, which say nothing about this.
            Process process = new ProcessBuilder("bash", LAUNCHER.toString(), "publish", "--bootstrap-servers",
                    cluster.bootstrapServers(), "--topic", "cli-piped").redirectError(errors.toFile()).start();
            List<String> printed = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    in.lines().forEach(printed::add);
                } catch (IOException | java.io.UncheckedIOException ignored) {
                    // the process ended
                }
            });
            reader.start();
            Thread feeder = new Thread(() -> {
                try (java.io.Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(
                        process.getOutputStream(), StandardCharsets.UTF_8))) {
                    for (int i = 0; process.isAlive(); i++) {
                        w.write("line-" + i + "\n");
                    }
                } catch (IOException ignored) {
                    // the process ended: a broken pipe
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (printed.size() < 5_000 && process.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(printed).as("offsets printed before the signal").hasSizeGreaterThanOrEqualTo(5_000);

                process.toHandle().destroy(); // SIGTERM (Ctrl-C sends SIGINT; the JVM shuts down the same way)

                assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("stopped within a minute").isTrue();
                reader.join(TimeUnit.SECONDS.toMillis(30));
                TopicPartition tp = new TopicPartition("cli-piped", 0);
                long records = cluster.admin().listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .all().get(30, TimeUnit.SECONDS).get(tp).offset();
                List<String> expected = new ArrayList<>();
                for (long offset = 0; offset < records; offset++) {
                    expected.add("cli-piped-0@" + offset);
                }
                assertThat(printed.size()).as("lines printed, against the topic's %d records", records)
                        .isEqualTo(records);
                assertThat(printed).as("one printed offset per record in the topic, in order, and nothing else")
                        .isEqualTo(expected);
                assertThat(Files.readString(errors)).as("standard error").doesNotContain("stopped")
                        .doesNotContain("Exception");
            } finally {
                stopQuietly(process);
                Files.deleteIfExists(errors);
            }
        }
    }

    @Test
    void aClusterStoppedWhileItStartsLeavesNoDataBehind(@TempDir Path tmp) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString(), "cluster", "--port", "0"));
        Path output = Files.createTempFile("courier-cluster-stopped", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("JAVA_OPTS", "-Djava.io.tmpdir=" + tmp); // where its temporary data directory goes
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (dataDirectories(tmp).isEmpty() && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(dataDirectories(tmp)).as("the start has begun").hasSize(1);

            process.toHandle().destroy(); // SIGTERM (Ctrl-C sends SIGINT; the JVM shuts down the same way)

            assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("stopped within 3 minutes").isTrue();
            assertThat(dataDirectories(tmp)).as("the temporary data directory was deleted").isEmpty();
            // Either the start was stopped, and says so, or it ended first and the cluster was stopped as after any
            // Ctrl-C; never both, never a stack trace, nor a logging library's complaint.
            String printed = Files.readString(output);
            assertThat(printed).doesNotContain("\tat ").doesNotContain("Exception in thread").doesNotContain(" ERROR ");
            boolean startStopped = printed.contains(
                    "courier cluster: stopped while the cluster was starting; nothing was left behind");
            boolean clusterStopped = printed.contains("Stopping the cluster...");
            assertThat(startStopped != clusterStopped).as("exactly one of the two outcomes was reported: %s", printed)
                    .isTrue();
            if (clusterStopped) {
                assertThat(printed).as("a cluster stopped during its start is not announced as ready")
                        .doesNotContain("bootstrap.servers=").doesNotContain("Press Ctrl-C");
            }
        } finally {
            stopQuietly(process);
            Files.deleteIfExists(output);
        }
    }

    @Test
    void theLauncherRunsThroughASymbolicLinkFromAnotherFolder(@TempDir Path bin) throws Exception {
        Path link = Files.createSymbolicLink(bin.resolve("courier"), LAUNCHER);
        Process process = new ProcessBuilder("bash", link.toString(), "--version").directory(bin.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("output: %s", output).isZero();
        assertThat(output).startsWith("courier ").contains("Apache Kafka");
    }

    private static List<Path> dataDirectories(Path tmp) throws IOException {
        try (var entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("courier-kafka-")).toList();
        }
    }

    record ProcessResult(int exitCode, String output) {}

    /** Runs the launcher as a shell whose locale is plain C (ASCII) would; @return its stdout as UTF-8 */
    private static ProcessResult runInCLocale(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(name -> name.startsWith("LC_"));
        builder.environment().put("LANG", "C");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s ended within 2 minutes", args[0]).isTrue();
        return new ProcessResult(process.exitValue(), output);
    }

    /** Runs a command in this JVM, as KafkaToolsIT does; @return what it printed, once it succeeded */
    private static String cli(String... args) {
        CommandLine cli = CourierCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute(args)).as("exit code of %s; stderr: %s", List.of(args), err).isZero();
        assertThat(err.toString()).isEmpty();
        return out.toString().strip();
    }

    private static Process launch(String... args) throws IOException {
        assertThat(LAUNCHER).as("the launcher at the repository root").isRegularFile();
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static BlockingQueue<String> pump(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }

    /**
     * Ends a process that a failed assertion left running: SIGTERM first, so that a cluster deletes its temporary
     * data directory, then SIGKILL if it has not stopped within a minute.
     */
    private static void stopQuietly(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
    }

    private static String awaitLine(BlockingQueue<String> lines, String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
                seen.add(line);
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' within " + timeout + "; saw: " + seen);
    }

    private static List<String> roundTrip(String bootstrap, String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "acks", "all", "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName()))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName()))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
