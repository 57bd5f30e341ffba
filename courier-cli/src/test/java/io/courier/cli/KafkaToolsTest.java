package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The Kafka tools (publish, consume, topics, dlt) refuse bad input with a message that names the value, before
 * they reach for a broker: every case here runs without one, and quickly.
 */
class KafkaToolsTest {
    /** A port nothing listens on; no test here may get as far as connecting. */
    private static final String NOWHERE = "localhost:1";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        CommandLine cli = CourierCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String errorLine() {
        assertThat(err.toString()).as("exactly one line on stderr").endsWith(System.lineSeparator())
                .doesNotContain("\tat ").hasLineCount(1);
        return err.toString().strip();
    }

    @Test
    void anUnknownFormatNamesTheAllowedOnes() {
        assertThat(run("consume", "--topic", "orders", "--format", "xml")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("--format", "'xml'", "TEXT", "JSON");
    }

    @Test
    void zeroPartitionsAreRejectedWithTheFlagAndValue() {
        assertThat(run("topics", "create", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--partitions", "0"))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier topics create: --partitions must be at least 1, but was 0");
    }

    @Test
    void aReplicationFactorOutOfRangeIsRejected() {
        assertThat(run("topics", "create", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--replication-factor", "0"))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier topics create: --replication-factor must be between 1 and 32767, but was 0");
    }

    @Test
    void anIllegalTopicNameIsRejectedWithKafkasRule() {
        assertThat(run("topics", "create", "--bootstrap-servers", NOWHERE, "--topic", "orders placed"))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier topics create: illegal topic name 'orders placed'")
                .contains("ASCII alphanumerics");
    }

    @ParameterizedTest
    @ValueSource(strings = {"publish --topic orders --value v", "consume --topic orders", "topics list",
            "topics describe --topic orders", "topics create --topic orders", "dlt replay --topic orders.dlt"})
    void aMissingCommandConfigFileIsNamed(String command) {
        Path missing = dir.resolve("client.properties");
        String[] args = (command + " --command-config " + missing).split(" ");
        assertThat(run(args)).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        String name = Arrays.stream(args).takeWhile(a -> !a.startsWith("--")).collect(Collectors.joining(" "));
        assertThat(errorLine()).isEqualTo("courier " + name + ": command config file '" + missing
                + "' does not exist or is not a file; "
                + "--command-config expects a Kafka client properties file");
    }

    @Test
    void commandConfigEntriesReachTheKafkaClients() throws IOException {
        // Kafka checks a client's settings when the client is created, so a bad one fails before any connection.
        Path config = Files.writeString(dir.resolve("client.properties"), "security.protocol=SASL_KERBEROS\n");
        assertThat(run("topics", "list", "--bootstrap-servers", NOWHERE, "--command-config", config.toString()))
                .as("bad input, whichever client refuses it").isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier topics list: invalid Kafka client settings for " + NOWHERE)
                .contains("Invalid value SASL_KERBEROS for configuration security.protocol");
    }

    @Test
    void aTransactionalIdInTheCommandConfigIsRefusedBeforeConnectingByTheCommandsThatPublish() throws IOException {
        Path config = Files.writeString(dir.resolve("tx.properties"), "transactional.id=orders-tx\n");
        assertThat(run("publish", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--value", "v",
                "--command-config", config.toString())).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier publish: command config file '" + config + "' sets "
                + "transactional.id, but publish publishes at least once, without transactions; remove that entry");
        err.getBuffer().setLength(0);

        assertThat(run("dlt", "replay", "--bootstrap-servers", NOWHERE, "--topic", "orders.dlt",
                "--command-config", config.toString())).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier dlt replay: command config file '" + config + "' sets "
                + "transactional.id, but dlt replay commits");
    }

    @Test
    void aSecuritySettingKafkaCannotUseIsBadInputToo() throws IOException {
        // Not a ConfigException: Kafka fails on these while it builds the client's network layer.
        Path jaas = Files.writeString(dir.resolve("jaas.properties"), "security.protocol=SASL_PLAINTEXT\n"
                + "sasl.mechanism=PLAIN\nsasl.jaas.config=not a login module\n");
        assertThat(run("topics", "list", "--bootstrap-servers", NOWHERE, "--command-config", jaas.toString()))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier topics list: invalid Kafka client settings for " + NOWHERE + ": ")
                .contains("in JAAS config");
        err.getBuffer().setLength(0);

        Path trust = Files.writeString(dir.resolve("ssl.properties"), "security.protocol=SSL\n"
                + "ssl.truststore.location=" + dir.resolve("no-such.jks") + "\nssl.truststore.password=x\n");
        assertThat(run("topics", "list", "--bootstrap-servers", NOWHERE, "--command-config", trust.toString()))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier topics list: invalid Kafka client settings for " + NOWHERE + ": ")
                .contains("Failed to load SSL keystore " + dir.resolve("no-such.jks"));
    }

    @Test
    void aLoginThatFailsWhileTheClientIsBuiltIsAFailureNotBadInput() throws IOException {
        // Kerberos logs in while Kafka builds the client; a KDC that is down fails it the same way as this keytab.
        Path kerberos = Files.writeString(dir.resolve("kerberos.properties"), "security.protocol=SASL_PLAINTEXT\n"
                + "sasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka\n"
                + "sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
                + "storeKey=true keyTab=\"" + dir.resolve("no-such.keytab") + "\" principal=\"courier@EXAMPLE.COM\";\n");
        assertThat(run("topics", "list", "--bootstrap-servers", NOWHERE, "--command-config", kerberos.toString()))
                .isEqualTo(1);
        assertThat(errorLine()).startsWith("courier topics list: cannot log in to Kafka at " + NOWHERE + ": ")
                .contains("LoginException");
    }

    @Test
    void aCommandConfigIsReadAsKafkaReadsItWithSpacesInTheServerListAndFromAPipe() throws Exception {
        Path fifo = dir.resolve("client.properties");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Thread writer = new Thread(() -> { // as --command-config <(vault read ...) would
            try {
                Files.writeString(fifo, "bootstrap.servers=localhost:1, localhost:2 \nsecurity.protocol=SASL_KERBEROS\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();

        int exit = run("topics", "list", "--command-config", fifo.toString());
        writer.join(10_000);

        // Refused for its security.protocol, the line after the servers: the file was read, servers and all.
        assertThat(exit).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier topics list: invalid Kafka client settings for localhost:1,localhost:2");
    }

    @Test
    void aCommandConfigIsReadAsIso88591WithEscapesAsKafkaReadsIt() throws IOException {
        // One byte 0xE9, as Kafka's tools read it and Properties.store(OutputStream) writes it (read as UTF-8, the
        // file was refused as malformed); characters beyond ISO-8859-1 come as backslash-u escapes.
        Path config = Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=caf\u00e9.example:9093,\\u0161ar.example:9093\nsecurity.protocol=SASL_KERBEROS\n",
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(run("topics", "list", "--command-config", config.toString()))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).contains("invalid Kafka client settings for caf\u00e9.example:9093,\u0161ar.example:9093");
    }

    @Test
    void bootstrapServersComeFromTheCommandConfigWhenTheFlagIsAbsent() throws IOException {
        Path config = Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=kafka-1.example:9093\nsecurity.protocol=SASL_KERBEROS\n");
        assertThat(run("topics", "list", "--command-config", config.toString()))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).contains("invalid Kafka client settings for kafka-1.example:9093");
    }

    @Test
    void withoutTheFlagOrServersInTheCommandConfigTheServersAreLocalhost9092() throws IOException {
        // Parsed only: nothing connects.
        CommandLine.ParseResult parsed = CourierCli.newCommandLine().parseArgs("topics", "list");
        TopicsCommand.ListTopics list = (TopicsCommand.ListTopics) parsed.subcommand().subcommand().commandSpec()
                .userObject();
        assertThat(list.connection.servers()).as("neither --bootstrap-servers nor --command-config")
                .isEqualTo("localhost:9092");

        // A command config without bootstrap.servers; the client it configures is refused before it connects.
        Path config = Files.writeString(dir.resolve("client.properties"), "security.protocol=SASL_KERBEROS\n");
        assertThat(run("topics", "list", "--command-config", config.toString()))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier topics list: invalid Kafka client settings for localhost:9092: ");
    }

    @Test
    void aNonNumericRequestTimeoutInTheCommandConfigIsNamed() throws IOException {
        Path config = Files.writeString(dir.resolve("client.properties"), "request.timeout.ms=soon\n");
        assertThat(run("topics", "list", "--command-config", config.toString())).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier topics list: request.timeout.ms in command config file '" + config
                + "' must be a positive number of milliseconds, but was 'soon'");
    }

    @Test
    void malformedBootstrapServersAreNamed() {
        assertThat(run("topics", "list", "--bootstrap-servers", "kafka-1")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier topics list: bootstrap servers must look like host:port[,host:port...], "
                + "but were 'kafka-1'");
    }

    @Test
    void valueAndFileExcludeEachOther() {
        assertThat(run("publish", "--topic", "orders", "--value", "v", "--file", "f.txt")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("--value=TEXT, --file=FILE are mutually exclusive");
    }

    @Test
    void aMissingFileToPublishIsNamed() {
        Path missing = dir.resolve("order.json");
        assertThat(run("publish", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--file", missing.toString()))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier publish: file '" + missing + "' does not exist or is not a file; "
                + "--file expects a file whose whole content is the message value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"trace", "=v"})
    void aHeaderWithoutANameAndAValueIsRejectedBeforeConnecting(String header) {
        assertThat(run("publish", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--value", "v", "--header",
                header)).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier publish: --header '" + header + "' is not NAME=VALUE; expected a "
                + "non-empty name, '=' and the value (which may be empty or hold '=')");
    }

    @Test
    void aHeaderNameGivenTwiceIsRejectedInsteadOfSilentlyReplaced() {
        assertThat(run("publish", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--value", "v", "--header",
                "tenant=acme", "--header", "tenant=other")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier publish: --header tenant is given twice; expected each name once "
                + "(the second would silently replace the first)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ce_type", "ce_subject", "courier-envelope", "courier", "content-type", "traceparent"})
    void anEnvelopeHeaderNameIsRefusedBeforeConnecting(String name) {
        assertThat(run("publish", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--value", "v", "--header",
                name + "=x")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier publish: --header " + name + " belongs to Courier's envelope (its "
                + "headers and every CloudEvents ce_* name), which publish writes itself; choose another name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "-5s", "0s", "soon", "10 seconds"})
    void aTimeoutWithoutAUnitOrNotPositiveIsRejected(String timeout) {
        assertThat(run("consume", "--topic", "orders", "--timeout", timeout)).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("Invalid value for option '--timeout': '" + timeout
                + "' is not a positive duration; expected a number with a unit (500ms, 10s, 2m, 1h, 1m30s) or ISO-8601 "
                + "(PT10S)");
    }

    @Test
    void consumingZeroRecordsIsRejected() {
        assertThat(run("consume", "--bootstrap-servers", NOWHERE, "--topic", "orders", "--max", "0"))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier consume: --max must be at least 1, but was 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "NaN", "Infinity"})
    void aReplayRateThatIsNotPositiveIsRejected(String rate) {
        assertThat(run("dlt", "replay", "--bootstrap-servers", NOWHERE, "--topic", "orders.dlt", "--rate", rate))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).startsWith("courier dlt replay: --rate must be a positive number of records a second, but was ");
    }

    @Test
    void replayingZeroRecordsIsRejected() {
        assertThat(run("dlt", "replay", "--bootstrap-servers", NOWHERE, "--topic", "orders.dlt", "--max", "0"))
                .isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(errorLine()).isEqualTo("courier dlt replay: --max must be at least 1, but was 0");
    }

    @Test
    void aTopicIsRequired() {
        assertThat(run("publish", "--value", "v")).isEqualTo(CourierCli.USAGE_OR_INPUT_ERROR);
        assertThat(err.toString()).contains("Missing required option: '--topic=TOPIC'");
    }

    @Test
    void theParentCommandsPrintTheirSubCommands() {
        assertThat(run("topics")).isZero();
        assertThat(out.toString()).startsWith("Usage: courier topics").contains("list", "describe", "create");
        assertThat(run("dlt")).isZero();
        assertThat(out.toString()).contains("Usage: courier dlt", "replay");
    }
}
