package io.courier.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code courier} command-line tools, each run in a JVM of its own as a user runs them, against Kafka 3.9. */
@ExtendWith(Kafka3Extension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Kafka3CliIT {
    private static String bootstrap;

    /** What one command printed and returned. */
    record Run(int exitCode, String out) {}

    @BeforeAll
    static void broker(Kafka3Broker broker) {
        bootstrap = broker.bootstrapServers();
    }

    @Test
    void createsDescribesPublishesAndConsumesAsJson() throws Exception {
        assertThat(courier("topics", "create", "--topic", "cli-orders", "--partitions", "2").exitCode()).isZero();
        Run describe = courier("topics", "describe", "--topic", "cli-orders");
        assertThat(describe.exitCode()).isZero();
        assertThat(describe.out()).contains("cli-orders").contains("PartitionCount: 2");
        assertThat(courier("topics", "list").out()).contains("cli-orders");

        assertThat(courier("publish", "--topic", "cli-orders", "--key", "order-1", "--value", "hello",
                "--header", "tenant=acme").exitCode()).isZero();

        Run consume = courier("consume", "--topic", "cli-orders", "--from-beginning", "--format", "json",
                "--max", "1", "--timeout", "60s");
        assertThat(consume.exitCode()).as(consume.out()).isZero();
        String line = consume.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(
                () -> new AssertionError("no JSON line in:\n" + consume.out()));
        JsonNode record = new ObjectMapper().readTree(line);
        assertThat(record.get("topic").asText()).isEqualTo("cli-orders");
        assertThat(record.get("key").asText()).isEqualTo("order-1");
        assertThat(record.get("value").asText()).isEqualTo("hello");
        assertThat(record.get("headers").get("tenant").asText()).isEqualTo("acme");
        assertThat(record.get("headers").get("courier-envelope").asText()).startsWith("1|String|courier-cli|");
    }

    /** Runs {@code courier ARGS --bootstrap-servers B} with this test's class path, as {@code ./courier} does. */
    private static Run courier(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.courier.cli.CourierCli"));
        command.addAll(List.of(args));
        command.addAll(List.of("--bootstrap-servers", bootstrap));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("courier %s finished", String.join(" ", args)).isTrue();
        return new Run(p.exitValue(), out);
    }
}
