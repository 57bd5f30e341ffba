package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        assertThat(run.out()).contains("publish only", "0 consumer(s)", "for PT2S");
    }
}
