package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.bench.es.EventSourcingBenchmark;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class BenchCommandTest {

    private static EventSourcingBenchmark.Result eventSourcingRun(long duplicateEvents, boolean rebuildMatchesLive) {
        return new EventSourcingBenchmark.Result(950, 50, 0, 900.0, 1_000, duplicateEvents, 20_000.0,
                rebuildMatchesLive, 12.5, 22.7);
    }

    /** @return the (sub)command object {@code args} select, its options parsed as the CLI parses them, nothing run */
    private static <T> T parsed(Class<T> type, String... args) {
        CommandLine.ParseResult result = CourierCli.newCommandLine().parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }

    /** @return the long name of every option of {@code courier bench <subcommand>} */
    private static List<String> optionNames(String subcommand) {
        return CourierCli.newCommandLine().getSubcommands().get("bench").getSubcommands().get(subcommand)
                .getCommandSpec().options().stream().map(OptionSpec::longestName).toList();
    }

    @Test
    void theEventSourcingBenchmarkExitsWith1OnADuplicateOrARebuildUnlikeTheLiveState() {
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(0, true))).isZero();
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(1, true))).isEqualTo(1);
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(0, false))).isEqualTo(1);
        assertThat(BenchCommand.EventSourcing.exitCode(eventSourcingRun(3, false))).isEqualTo(1);
    }

    @Test
    void requestReplyBenchDefaultsAreTheDocumentedOnes() {
        // The usage line under "Kafka or HTTP?" in docs/request-reply.md, its bracketed values the defaults.
        BenchCommand.RequestReply defaults = parsed(BenchCommand.RequestReply.class, "bench", "request-reply");

        assertThat(defaults.requests).as("--requests").isEqualTo(20_000);
        assertThat(defaults.inFlight).as("--in-flight").containsExactly(1, 8, 64);
        assertThat(defaults.payloadSize).as("--payload-size").isEqualTo(256);
        assertThat(defaults.timeout).as("--timeout").isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.outage).as("--outage").isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.json).as("--json: no file unless asked").isNull();
        assertThat(BenchCommand.existingCluster(defaults.connection))
                .as("without --bootstrap-servers: the embedded cluster").isNull();
    }

    @Test
    void requestReplyBenchTakesTheDocumentedOptionsAndNoOthers() {
        assertThat(optionNames("request-reply")).as("the usage line in docs/request-reply.md, and --help, --version")
                .containsExactlyInAnyOrder("--requests", "--in-flight", "--payload-size", "--timeout", "--outage",
                        "--bootstrap-servers", "--command-config", "--json", "--help", "--version");
    }

    @Test
    void eventSourcingBenchDefaultsAreTheDocumentedOnes() {
        // The usage line under "./courier bench event-sourcing" in docs/event-sourcing.md.
        BenchCommand.EventSourcing defaults = parsed(BenchCommand.EventSourcing.class, "bench", "event-sourcing");

        assertThat(defaults.aggregates).as("--aggregates").isEqualTo(100);
        assertThat(defaults.commands).as("--commands").isEqualTo(20_000);
        assertThat(defaults.clients).as("--clients").isEqualTo(4);
        assertThat(defaults.json).as("--json: no file unless asked").isNull();
        assertThat(BenchCommand.existingCluster(defaults.connection))
                .as("without --bootstrap-servers: the embedded cluster").isNull();
    }

    @Test
    void eventSourcingBenchTakesTheDocumentedOptionsAndNoOthers() {
        assertThat(optionNames("event-sourcing")).as("the usage line in docs/event-sourcing.md, and --help, --version")
                .containsExactlyInAnyOrder("--aggregates", "--commands", "--clients", "--bootstrap-servers",
                        "--command-config", "--json", "--help", "--version");
    }
}
