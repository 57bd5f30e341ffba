package io.courier.cli;

import io.courier.bench.BenchJson;
import io.courier.bench.PublishComparison;
import io.courier.bench.es.EventSourcingBenchmark;
import io.courier.bench.workload.BenchReport;
import io.courier.bench.workload.BenchSession;
import io.courier.bench.workload.HtmlReport;
import io.courier.bench.workload.Workload;
import io.courier.bench.workload.WorkloadRunner;
import io.courier.bench.rr.RequestReplyComparison;
import io.courier.cluster.ClusterOptions;
import io.courier.core.EnvelopeFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code courier bench}: benchmarks. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Benchmarks that measure Courier against raw kafka-clients in the same run.",
                "Without a sub-command: the produce/consume workload, against an embedded 1-node cluster (its broker in "
                        + "a JVM of its own) unless --bootstrap-servers "
                        + "(or bootstrap.servers in --command-config) is given."},
        subcommands = {BenchCommand.ComparePublish.class, BenchCommand.RequestReply.class, BenchCommand.EventSourcing.class})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    WorkloadOptions workload;

    @Option(names = "--compare", paramLabel = "raw",
            description = "Also run every workload through raw kafka-clients and print Courier / raw ratios; which goes first "
                    + "alternates between sweep points.")
    String compare;

    @Option(names = "--sweep", paramLabel = "PARAM=V1,V2,...",
            description = "Repeat the workload over the values of one parameter (message-size, partitions, compression, "
                    + "producers, ...).")
    String sweep;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON (schema: docs/benchmarks.md).")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML page with charts.")
    Path html;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (compare != null && !compare.equals("raw")) {
            throw new IllegalArgumentException("--compare accepts only 'raw', but was '" + compare + "'");
        }
        requireWritable("--json", json);
        requireWritable("--html", html);
        Workload base = workload.build();
        Optional<BenchSession.Sweep> sweeping = Optional.ofNullable(sweep).map(BenchSession.Sweep::parse);
        BenchSession.plan(base, sweeping); // every sweep value is valid before anything starts
        Map<String, String> clientProperties = connection.clientProperties();
        return onCluster(spec, existingCluster(connection), (servers, where) -> {
            out.println("courier bench at " + where);
            out.flush();
            BenchReport report = BenchSession.run(new WorkloadRunner(servers, clientProperties), base, sweeping,
                    compare != null, printer(out, ""));
            out.print(BenchSession.table(report));
            out.flush();
            writeJson(json, report, out);
            if (html != null) {
                Files.writeString(html, HtmlReport.render(report), StandardCharsets.UTF_8);
                out.println("Wrote " + html);
                out.flush();
            }
            // The reports are written, and the INCOMPLETE lines say why: a script must not take them as a result.
            return report.incomplete() ? 1 : 0;
        });
    }

    /** {@code courier bench compare-publish}. */
    @Command(name = "compare-publish",
            mixinStandardHelpOptions = true,
            description = {"Publish through Courier and through a raw KafkaProducer with the same settings, in turns.",
                    "First end-to-end latency at a fixed rate (from the intended send time), then throughput at full "
                        + "speed.",
                    "Starts an embedded 1-node cluster (its broker in a JVM of its own) unless --bootstrap-servers "
                        + "(or bootstrap.servers in --command-config) is given."})
    static final class ComparePublish implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Option(names = "--records", paramLabel = "N", defaultValue = "1000000", description = "Records per throughput round. Default: ${DEFAULT-VALUE}.")
        int records;

        @Option(names = "--record-size", defaultValue = "1024", paramLabel = "BYTES", description = "Value size. Default: ${DEFAULT-VALUE}.")
        int recordSize;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "4",
                description = "Rounds per client and workload; even, so that each client goes first equally often. Default: ${DEFAULT-VALUE}.")
        int rounds;

        @Option(names = "--rate", defaultValue = "5000", paramLabel = "MSG/S", description = "Rate of the latency rounds. Default: ${DEFAULT-VALUE}.")
        int rate;

        @Option(names = "--latency-duration", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
                description = "How long each client publishes in a latency round. Default: ${DEFAULT-VALUE}.")
        Duration latencyDuration;

        @Option(names = "--envelope", defaultValue = "COMPACT", paramLabel = "FORMAT",
                description = "How Courier writes its envelope: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
        EnvelopeFormat envelope;

        @Option(names = "--batch-size", defaultValue = "16384", paramLabel = "BYTES",
                description = "Kafka's batch.size, for both clients. Default: ${DEFAULT-VALUE}, Courier's default.")
        int batchSize;

        @Option(names = "--raw-envelope",
                description = {"The raw producer's records carry a constant copy of Courier's envelope headers, so both "
                        + "clients send records of the same size: the ratio then measures Courier's own per-message work, "
                        + "without the cost of the envelope's bytes."})
        boolean rawEnvelope;

        @Option(names = "--slices", paramLabel = "N", defaultValue = "10",
                description = {"Into how many slices each round is cut (a throughput round's records, a latency "
                        + "round's messages): the two clients take turns slice by slice, so both meet the same moments "
                        + "of a machine whose speed drifts; 1 runs each client's part of a round in one go. "
                        + "Default: ${DEFAULT-VALUE}."})
        int slices;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the rounds and ratios as JSON.")
        Path json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            // fail before starting anything
            requireWritable("--json", json);
            Map<String, String> clientProperties = connection.clientProperties();
            new PublishComparison("validate", clientProperties, records, recordSize, rounds, rate, latencyDuration,
                    envelope, batchSize, rawEnvelope, slices);
            return onCluster(spec, existingCluster(connection), (servers, where) -> {
                PublishComparison comparison = new PublishComparison(servers, clientProperties, records, recordSize,
                        rounds, rate, latencyDuration, envelope, batchSize, rawEnvelope, slices);
                out.println("Comparing Courier (" + envelope + " envelope) with raw kafka-clients"
                        + (rawEnvelope ? " (its records carrying a constant copy of that envelope)" : "") + " at " + where
                        + ", batch.size " + batchSize + ", " + slices + " slice(s) per round");
                out.flush();
                PublishComparison.Result result = comparison.run(printer(out, "  "));
                out.print(result.table());
                out.flush();
                writeJson(json, result, out);
                return 0;
            });
        }
    }

    /**
     * @return the servers of the cluster to measure, or null to start an embedded one
     * @throws IllegalArgumentException if a command config is given without servers: its settings (security, most
     *     likely) are for a cluster of the user's, and would not fit the embedded one
     */
    static String existingCluster(ConnectionOptions connection) {
        java.util.Optional<String> servers = connection.explicitServers();
        if (servers.isEmpty() && connection.commandConfig != null) {
            throw new IllegalArgumentException("--command-config '" + connection.commandConfig + "' names no "
                    + "bootstrap.servers and --bootstrap-servers is not given: its settings are for a cluster of "
                    + "yours, not the embedded one a benchmark starts without servers; add --bootstrap-servers, or "
                    + "leave out --command-config");
        }
        return servers.orElse(null);
    }

    /** What a benchmark does once it has a cluster. */
    interface OnCluster {
        /**
         * @param servers the bootstrap servers
         * @param where   the servers, marked when embedded, for the first line of output
         * @return the exit code
         */
        int run(String servers, String where) throws Exception;
    }

    /**
     * Runs {@code work} against {@code bootstrapServers}, or against an embedded 1-node cluster started for it when
     * they are null. The embedded broker gets a JVM of its own, as a real one would: in this JVM its garbage
     * collection and page writes would land on whichever client happens to be measured.
     */
    static int onCluster(CommandSpec spec, String bootstrapServers, OnCluster work) throws Exception {
        if (bootstrapServers != null) {
            return work.run(bootstrapServers, bootstrapServers);
        }
        // Ctrl-C during a long benchmark closes the cluster too, which deletes its data (gigabytes, for some).
        ClusterOnExit embedded = ClusterOnExit.start(ClusterOptions.builder().forkedNodes(true)
                .forkedNodeHeap("1g").build(), message -> {
                    spec.commandLine().getErr().println(spec.qualifiedName() + ": " + message);
                    spec.commandLine().getErr().flush();
                }, () -> {}, () -> {});
        try {
            String servers = embedded.cluster().bootstrapServers();
            return work.run(servers, servers + " (embedded)");
        } finally {
            embedded.closeNow();
        }
    }

    static Consumer<String> printer(PrintWriter out, String indent) {
        return line -> {
            out.println(indent + line);
            out.flush();
        };
    }

    /**
     * Checks, before a benchmark starts, that its report files can be written: a missing folder found after ten
     * minutes of measuring would lose the run.
     *
     * @param option the flag that named the file, for the message
     * @param file   the file, or null when the flag was not given
     * @throws IllegalArgumentException naming the flag and the file
     */
    static void requireWritable(String option, Path file) {
        if (file == null) {
            return;
        }
        Path folder = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file) || !Files.isDirectory(folder) || !Files.isWritable(folder)
                || Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " '" + file + "' cannot be written: " + option
                    + " expects a file in an existing, writable folder");
        }
    }

    static void writeJson(Path json, Object result, PrintWriter out) throws IOException {
        if (json == null) {
            return;
        }
        Files.writeString(json, BenchJson.write(result), StandardCharsets.UTF_8);
        out.println("Wrote " + json);
        out.flush();
    }

    /** {@code courier bench request-reply}. */
    @Command(name = "request-reply",
            mixinStandardHelpOptions = true,
            description = {"Request-reply over Kafka (Courier) and the same echo call over HTTP/1.1 (JDK HttpClient "
                    + "and HTTP server), in one run: latency and throughput at each number of requests in flight, then "
                    + "one run per transport with the responder down for --outage in the middle.",
                    "Starts an embedded 1-node cluster (its broker in a JVM of its own) unless --bootstrap-servers "
                        + "(or bootstrap.servers in --command-config) is given."})
    static final class RequestReply implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Option(names = "--requests", defaultValue = "20000", paramLabel = "N", description = "Requests per run. Default: ${DEFAULT-VALUE}.")
        int requests;

        @Option(names = "--in-flight", defaultValue = "1,8,64", split = ",", paramLabel = "N", splitSynopsisLabel = ",",
                description = "Requests kept outstanding, one run each. Default: ${DEFAULT-VALUE}.")
        List<Integer> inFlight;

        @Option(names = "--payload-size", defaultValue = "256", paramLabel = "BYTES",
                description = "Request and reply size. Default: ${DEFAULT-VALUE}.")
        int payloadSize;

        @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "How long a caller waits for its reply. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        /** Requests in flight during the outage runs: enough to show errors or waiting, few enough to read. */
        private static final int OUTAGE_IN_FLIGHT = 8;

        @Option(names = "--outage", defaultValue = "2s", converter = DurationConverter.ZeroOrMore.class, paramLabel = "DURATION",
                description = "How long the responder is down in the outage runs; 0s skips them. Default: ${DEFAULT-VALUE}.")
        Duration outage;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the runs as JSON.")
        Path json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            // fail before starting anything
            requireWritable("--json", json);
            Map<String, String> clientProperties = connection.clientProperties();
            new RequestReplyComparison("validate", clientProperties, requests, inFlight, payloadSize, timeout, outage,
                    OUTAGE_IN_FLIGHT);
            return onCluster(spec, existingCluster(connection), (servers, where) -> {
                out.println("Request-reply over Kafka at " + where + " and over HTTP on 127.0.0.1");
                out.flush();
                RequestReplyComparison.Result result = new RequestReplyComparison(servers, clientProperties, requests, inFlight,
                        payloadSize, timeout, outage, OUTAGE_IN_FLIGHT).run(printer(out, "  "));
                out.print(result.table());
                out.flush();
                writeJson(json, result, out);
                return 0;
            });
        }
    }

    /** {@code courier bench event-sourcing}. */
    @Command(name = "event-sourcing",
            mixinStandardHelpOptions = true,
            description = {"Commands through the single-writer command processor (Kafka Streams, exactly_once_v2), a "
                    + "rebuild by replay, and the projection's read-your-writes lag; then reads the event topic back to "
                    + "check for duplicates and compares the rebuilt state with the live one.",
                    "Starts an embedded 1-node cluster (its broker in a JVM of its own) unless --bootstrap-servers "
                        + "(or bootstrap.servers in --command-config) is given."})
    static final class EventSourcing implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Option(names = "--aggregates", defaultValue = "100", paramLabel = "K", description = "Aggregates. Default: ${DEFAULT-VALUE}.")
        int aggregates;

        @Option(names = "--commands", defaultValue = "20000", paramLabel = "N", description = "Commands. Default: ${DEFAULT-VALUE}.")
        int commands;

        @Option(names = "--clients", defaultValue = "4", paramLabel = "C",
                description = "Concurrent clients, each with up to 16 commands in flight. Default: ${DEFAULT-VALUE}.")
        int clients;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the result as JSON.")
        Path json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            requireWritable("--json", json); // bad values fail before a cluster starts
            Map<String, String> clientProperties = connection.clientProperties();
            new EventSourcingBenchmark("validate", clientProperties, aggregates, commands, clients);
            return onCluster(spec, existingCluster(connection), (servers, where) -> {
                out.println("Event sourcing at " + where);
                out.flush();
                EventSourcingBenchmark.Result result = new EventSourcingBenchmark(servers, clientProperties, aggregates,
                        commands, clients)
                        .run(printer(out, "  "));
                out.print(result.table());
                out.flush();
                writeJson(json, result, out);
                return exitCode(result);
            });
        }

        /** @return 1 if the run found a duplicate event on the topic or a rebuilt state unlike the live one, else 0 */
        static int exitCode(EventSourcingBenchmark.Result result) {
            return result.duplicateEvents() == 0 && result.rebuildMatchesLive() ? 0 : 1;
        }
    }
}
