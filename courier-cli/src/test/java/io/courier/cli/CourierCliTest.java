package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class CourierCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = CourierCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryCommandWithOneLine() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString())
                .contains("Commands:")
                .containsPattern("(?m)^  cluster  Start a real Apache Kafka dev cluster")
                .containsPattern("(?m)^  publish  Publish text messages with Courier's envelope headers\\.$")
                .containsPattern("(?m)^  consume  Print the records of any topic, one line per record, as text or JSON\\.$")
                .containsPattern("(?m)^  topics   List, describe and create the topics of any Kafka cluster\\.$")
                .containsPattern("(?m)^  dlt      Replay Courier's dead letters to the topics they failed on\\.$")
                .containsPattern("(?m)^  bench    Benchmarks that measure Courier against raw kafka-clients")
                .containsPattern("(?m)^  help     Display help");
    }

    @Test
    void withoutACommandItPrintsTheUsage() {
        assertThat(run()).isZero();
        assertThat(out.toString()).startsWith("Usage: courier");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster", "publish", "consume", "topics", "topics list", "topics describe", "topics create",
            "dlt", "dlt replay", "bench", "bench compare-publish", "bench request-reply", "bench event-sourcing"})
    void everyCommandHasItsOwnHelp(String command) {
        assertThat(run((command + " --help").split(" "))).isZero();
        assertThat(out.toString()).startsWith("Usage: courier " + command);
    }

    @Test
    void clusterHelpNamesItsFlagsAndDefaults() {
        run("cluster", "--help");
        assertThat(out.toString()).contains("--brokers=N", "--port=PORT", "Default: 9092", "--data-dir=DIR",
                "KRaft mode, no ZooKeeper", "bootstrap.servers=HOST:PORT");
    }

    @Test
    void clusterStartsOneNodeWithoutSecurityUnlessTold() {
        ClusterCommand defaults = parsed(ClusterCommand.class, "cluster");
        assertThat(defaults.brokers).as("nodes without --brokers").isEqualTo(1);
        assertThat(defaults.security).as("security without --security").isEqualTo(ClusterCommand.Security.NONE);
        assertThat(defaults.port).as("port without --port").isEqualTo(9092);
        assertThat(defaults.dataDir).as("no --data-dir: a temporary directory").isNull();
    }

    /** @return the help of {@code command}, unwrapped, each run of spaces (column padding) as one space */
    private String helpOnOneLine(String... command) {
        CommandLine cli = CourierCli.newCommandLine();
        cli.setUsageHelpWidth(1_000); // no wrapping, which may break a line even at "0.5"
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] args = Arrays.copyOf(command, command.length + 1);
        args[command.length] = "--help";
        assertThat(cli.execute(args)).isZero();
        return out.toString().replaceAll("\\s+", " ");
    }

    /** @return the (sub)command object {@code args} select, with its options parsed and nothing run */
    private static <T> T parsed(Class<T> type, String... args) {
        CommandLine.ParseResult result = CourierCli.newCommandLine().parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }

    @Test
    void dltReplayHelpNamesItsRateAndGroupDefaults() {
        assertThat(helpOnOneLine("dlt", "replay")).contains(
                "--rate=N At most N records a second (may be fractional: 0.5 is one every 2 s). Default: 100.",
                "--group=GROUP The consumer group that remembers how far replays got. Default: courier-dlt-replay.");
    }

    @Test
    void dltReplayReplaysAtTheDefaultRateAsTheDefaultGroupAndTakesAFractionalRate() {
        DltCommand.Replay defaults = parsed(DltCommand.Replay.class, "dlt", "replay", "--topic", "orders.dlt");
        assertThat(defaults.options().messagesPerSecond()).as("replay rate without --rate").isEqualTo(100.0);
        assertThat(defaults.options().groupId()).as("replay group without --group").isEqualTo("courier-dlt-replay");

        DltCommand.Replay given = parsed(DltCommand.Replay.class, "dlt", "replay", "--topic", "orders.dlt", "--rate",
                "0.5", "--group", "audit-replay");
        assertThat(given.options().messagesPerSecond()).as("replay rate with --rate 0.5").isEqualTo(0.5);
        assertThat(given.options().groupId()).as("replay group with --group audit-replay").isEqualTo("audit-replay");
    }

    @Test
    void benchComparePublishHelpNamesItsRecordsAndRecordSizeDefaults() {
        assertThat(helpOnOneLine("bench", "compare-publish")).contains(
                "--records=N Records per throughput round. Default: 1000000.",
                "--record-size=BYTES Value size. Default: 1024.");
    }

    @Test
    void benchComparePublishDefaultsToAMillionRecordsOf1024Bytes() {
        BenchCommand.ComparePublish command = parsed(BenchCommand.ComparePublish.class, "bench", "compare-publish");
        assertThat(command.records).as("records per throughput round without --records").isEqualTo(1_000_000);
        assertThat(command.recordSize).as("value size without --record-size").isEqualTo(1024);
    }

    @Test
    void versionNamesTheEmbeddedKafka() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).contains("Apache Kafka 4.4.0 (KRaft)");
    }

    @Test
    void tooManyBrokersIsRejectedWithTheRangeAndNoStackTrace() {
        assertThat(run("cluster", "--brokers", "12", "--port", "0")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).isEqualTo("courier cluster: --brokers must be between 1 and 9, but was 12"
                + System.lineSeparator());
    }

    @Test
    void aPortOutOfRangeIsRejectedWithTheValue() {
        assertThat(run("cluster", "--port", "80")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("port must be 0 (free ports) or between 1024 and 65535", "but was 80");
    }

    @Test
    void anUnknownSecurityModeNamesTheAllowedOnes() {
        assertThat(run("cluster", "--security", "kerberos")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("kerberos", "NONE", "SASL_PLAINTEXT", "SASL_SSL");
    }

    @Test
    void aNonNumericBrokerCountIsRejectedWithOneLineAndNoUsageText() {
        assertThat(run("cluster", "--brokers", "three")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).isEqualTo("courier cluster: Invalid value for option '--brokers': 'three' is not an "
                + "int (see 'courier cluster --help')" + System.lineSeparator());
    }

    @Test
    void aMistypedOptionIsOneLineWithASuggestion() {
        assertThat(run("consume", "--topic", "orders", "--form", "json")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).isEqualTo("courier consume: Unknown options: '--form', 'json' (see 'courier consume "
                + "--help')" + System.lineSeparator() + "Possible solutions: --format" + System.lineSeparator());
    }

    /** A command that fails with an exception of Kafka's own that no command wraps in a message of its own. */
    @CommandLine.Command(name = "fail")
    static final class FailingCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new KafkaException("Unexpected error in the cluster",
                    new java.io.IOException("Connection reset by peer"));
        }
    }

    @Test
    void aKafkaFailureACommandDidNotWrapIsExitCode1WithOneLineNamingTheCommandAndKafkasReason() {
        CommandLine cli = CourierCli.newCommandLine();
        cli.addSubcommand(new FailingCommand()); // before setErr, which passes the writer on to every sub-command
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        assertThat(cli.execute("fail")).as("exit code; stderr: %s", err).isEqualTo(1);
        assertThat(err.toString()).as("one line, the innermost cause as Kafka's reason, no stack trace")
                .isEqualTo("courier fail: Kafka refused or failed: IOException: Connection reset by peer"
                        + System.lineSeparator());
    }

    @Test
    void benchRequestReplyRejectsAZeroInFlightBeforeStartingAnything() {
        assertThat(run("bench", "request-reply", "--in-flight", "1,0")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).isEqualTo("courier bench request-reply: in-flight values must be at least 1, but were [1, 0]"
                + System.lineSeparator());
    }

    @Test
    void aBenchmarkWithACommandConfigButNoServersIsRefusedBeforeAnEmbeddedClusterStarts(@TempDir Path dir)
            throws java.io.IOException {
        Path config = java.nio.file.Files.writeString(dir.resolve("client.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        for (String[] bench : new String[][] {{"bench"}, {"bench", "compare-publish"}, {"bench", "request-reply"},
                {"bench", "event-sourcing"}}) {
            err.getBuffer().setLength(0);
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(bench),
                    java.util.stream.Stream.of("--command-config", config.toString())).toArray(String[]::new);
            assertThat(run(args)).as(String.join(" ", bench)).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
            assertThat(err.toString()).isEqualTo("courier " + String.join(" ", bench) + ": --command-config '" + config
                    + "' names no bootstrap.servers and --bootstrap-servers is not given: its settings are for a "
                    + "cluster of yours, not the embedded one a benchmark starts without servers; add "
                    + "--bootstrap-servers, or leave out --command-config" + System.lineSeparator());
        }
    }

    @Test
    void aRecordTooLargeForKafkasProducerIsRefusedBeforeACompareStarts() {
        assertThat(run("bench", "compare-publish", "--record-size", "2000000"))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).isEqualTo("courier bench compare-publish: record size must be between 16 and 1000000 "
                + "bytes, but was 2000000" + System.lineSeparator());
    }

    @ParameterizedTest
    @CsvSource({"bench, --json", "bench, --html", "bench compare-publish, --json", "bench request-reply, --json",
            "bench event-sourcing, --json"})
    void aReportFileInAFolderThatDoesNotExistIsRefusedBeforeTheBenchmarkStarts(String command, String flag) {
        String file = "no-such-folder/report.out";

        assertThat(run((command + " " + flag + " " + file).split(" "))).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).isEqualTo("courier " + command + ": " + flag + " '" + file + "' cannot be written: "
                + flag + " expects a file in an existing, writable folder" + System.lineSeparator());
    }

    @Test
    void aMissingWorkloadFileIsOneLineNamingIt() {
        assertThat(run("bench", "--workload", "no-such.yaml")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).startsWith("courier bench: cannot read workload file 'no-such.yaml' (")
                .endsWith("); expected a YAML workload file, as in workloads/" + System.lineSeparator());
    }

    @Test
    void benchRequestReplyHelpNamesTheIssuesFlags() {
        run("bench", "request-reply", "--help");
        assertThat(out.toString()).contains("--requests", "--in-flight", "--payload-size", "--bootstrap-servers",
                "--json", "--outage", "1,8,64");
    }

    @Test
    void benchRejectsMoreConsumersThanPartitionsBeforeStartingAnything() {
        assertThat(run("bench", "--partitions", "2", "--consumers", "3")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("consumers (3 per group and topic) must not exceed the partitions of a topic (2)");
    }

    @Test
    void benchRefusesAMessageCountAndADurationTogetherSinceOneWouldSilentlyWin() {
        assertThat(run("bench", "--messages", "5000", "--duration", "10s"))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("give --messages or --duration, not both (--messages 5000, --duration 10s)");
    }

    @Test
        void benchNamesAnUnknownCompressionAndTheAcceptedOnes() {
        assertThat(run("bench", "--compression", "brotli")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("--compression must be one of none, gzip, snappy, lz4, zstd, but was 'brotli'");
    }

    @Test
    void benchRejectsANegativeMessageSizeAndAnUnknownSweepParameter() {
        assertThat(run("bench", "--message-size", "-1")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("message-size must be at least 16 bytes", "but was -1");
        assertThat(run("bench", "--sweep", "colour=red,blue")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("--sweep cannot vary 'colour'");
        assertThat(run("bench", "--compare", "kafka")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("--compare accepts only 'raw', but was 'kafka'");
    }
}
