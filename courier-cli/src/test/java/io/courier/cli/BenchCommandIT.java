package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.cluster.ClusterOptions;
import io.courier.cluster.ClusterSecurity;
import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code courier bench} as a user runs it, against a real cluster: console table, JSON and HTML files. */
@EmbeddedKafka
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BenchCommandIT {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private static Run courier(String... args) {
        CommandLine cli = CourierCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void comparesWithRawAndWritesTheJsonAndHtmlReports(EmbeddedKafkaCluster cluster) throws Exception {
        Path json = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        Run run = courier("bench", "--bootstrap-servers", cluster.bootstrapServers(), "--messages", "2000",
                "--warmup", "0s", "--message-size", "128", "--keys", "random", "--compare", "raw",
                "--json", json.toString(), "--html", html.toString());

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("publish/s", "Courier / raw workload: publish ");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("runs")).hasSize(2);
        assertThat(report.get("runs").get(0).get("client").asText()).isEqualTo("raw");
        assertThat(report.get("runs").get(1).get("client").asText()).isEqualTo("courier");
        assertThat(report.get("runs").get(1).get("consume").get("messagesPerSec").asDouble()).isPositive();
        assertThat(report.get("runs").get(1).get("endToEndLatencyMs").get("p999").asDouble()).isPositive();
        assertThat(Files.readString(html, StandardCharsets.UTF_8)).contains("<svg").doesNotContain("https://");
    }

    @Test
    void runsAStandardWorkloadFileWithFlagsThatOverrideIt(EmbeddedKafkaCluster cluster) {
        Run run = courier("bench", "--bootstrap-servers", cluster.bootstrapServers(), "--workload",
                Path.of("..", "workloads", "publish-only-1kb.yaml").toString(), "--duration", "2s", "--warmup", "0s");

        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("publish only", "0 consumer(s)", "for 2s");
    }

    @Test
    void everyBenchmarkReachesASecuredClusterThroughTheCommandConfig() throws Exception {
        try (EmbeddedKafkaCluster secured = EmbeddedKafkaCluster.start(ClusterOptions.builder()
                .security(ClusterSecurity.saslPlaintext()).build())) {
            String file = CommandConfigFiles.write(secured, dir);
            // bootstrap.servers and the SCRAM login come from the file; without them every client would be refused.
            Run workload = courier("bench", "--command-config", file, "--messages", "200", "--warmup", "0s",
                    "--message-size", "64", "--compare", "raw");
            assertThat(workload.exitCode()).as("stderr: %s", workload.err()).isZero();
            assertThat(workload.out()).contains("courier bench at " + secured.bootstrapServers(),
                    "Courier / raw workload: publish ");

            Run publish = courier("bench", "compare-publish", "--command-config", file, "--records", "200",
                    "--record-size", "64", "--rounds", "2", "--rate", "100", "--latency-duration", "1s", "--slices", "1");
            assertThat(publish.exitCode()).as("stderr: %s", publish.err()).isZero();
            assertThat(publish.out()).contains("at " + secured.bootstrapServers() + ",",
                    "Courier / raw (geometric mean of back-to-back pairs) throughput:");

            Run requestReply = courier("bench", "request-reply", "--command-config", file, "--requests", "50",
                    "--in-flight", "1", "--outage", "0s");
            assertThat(requestReply.exitCode()).as("stderr: %s", requestReply.err()).isZero();
            assertThat(requestReply.out()).contains("Request-reply over Kafka at " + secured.bootstrapServers() + " ");

            Run eventSourcing = courier("bench", "event-sourcing", "--command-config", file, "--aggregates", "2",
                    "--commands", "20", "--clients", "1");
            assertThat(eventSourcing.exitCode()).as("stderr: %s", eventSourcing.err()).isZero();
            assertThat(eventSourcing.out()).contains("Event sourcing at " + secured.bootstrapServers() + "\n",
                    "commands: ", "(duplicates on the topic: 0)");
        }
    }
}
