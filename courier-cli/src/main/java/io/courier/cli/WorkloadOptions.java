package io.courier.cli;

import io.courier.bench.workload.Workload;
import io.courier.bench.workload.WorkloadFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The workload flags of {@code courier bench}. A flag given on the command line overrides the same parameter of
 * {@code --workload FILE}; what neither sets keeps its default.
 */
final class WorkloadOptions {
    @Option(names = "--workload", paramLabel = "FILE.yaml",
            description = "A workload file shaped like OpenMessaging Benchmark's (see workloads/); flags override it.")
    Path workload;

    @Option(names = "--topics", paramLabel = "N", description = "Topics. Default: 1.")
    String topics;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions per topic. Default: 1.")
    String partitions;

    @Option(names = "--replication-factor", paramLabel = "N", description = "Replication factor. Default: 1.")
    String replicationFactor;

    @Option(names = "--producers", paramLabel = "N", description = "Producer threads, spread over the topics. Default: 1.")
    String producers;

    @Option(names = "--consumers", paramLabel = "N",
            description = "Consumers per group and topic; 0 measures publishing alone. Default: 1.")
    String consumers;

    @Option(names = "--consumer-groups", paramLabel = "N", description = "Consumer groups, each reading everything. Default: 1.")
    String consumerGroups;

    @Option(names = "--message-size", paramLabel = "BYTES", description = "Value size. Default: 1024.")
    String messageSize;

    @Option(names = "--messages", paramLabel = "N", description = "Messages in the measured phase; 0 measures for --duration instead. Default: 100000.")
    String messages;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Measure for this long instead of a message count (30s, 5m).")
    String duration;

    @Option(names = "--rate", paramLabel = "MSG/S",
            description = "Target rate over all producers; latency is then measured from each message's intended send "
                    + "time. Default: unlimited.")
    String rate;

    @Option(names = "--keys", paramLabel = "none|random|N", description = "Key distribution. Default: none.")
    String keys;

    @Option(names = "--compression", paramLabel = "CODEC", description = "none, gzip, snappy, lz4 or zstd. Default: none.")
    String compression;

    @Option(names = "--acks", paramLabel = "0|1|all", description = "Kafka's acks. Default: all.")
    String acks;

    @Option(names = "--guarantee", paramLabel = "GUARANTEE",
            description = "at-most-once, at-least-once or exactly-once (instead of --acks).")
    String guarantee;

    @Option(names = "--batch-size", paramLabel = "BYTES", description = "Kafka's batch.size. Default: 16384.")
    String batchSize;

    @Option(names = "--linger-ms", paramLabel = "MS", description = "Kafka's linger.ms. Default: 5.")
    String lingerMs;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "Publish this long before measuring. Default: 5s.")
    String warmup;

    /**
     * @return the workload: defaults, then the file, then the flags
     * @throws IllegalArgumentException naming the first invalid value
     */
    Workload build() {
        if (acks != null && guarantee != null) {
            throw new IllegalArgumentException("give --acks or --guarantee, not both (--acks " + acks + ", --guarantee "
                    + guarantee + ")");
        }
        if (messages != null && duration != null && !messages.trim().matches("0+")) {
            // Either sets the measured phase, and the one applied last would silently win.
            throw new IllegalArgumentException("give --messages or --duration, not both (--messages " + messages
                    + ", --duration " + duration + ")");
        }
        Workload.Builder b = workload == null ? Workload.builder() : WorkloadFile.load(workload);
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("topics", topics);
        flags.put("partitions", partitions);
        flags.put("replication-factor", replicationFactor);
        flags.put("producers", producers);
        flags.put("consumers", consumers);
        flags.put("consumer-groups", consumerGroups);
        flags.put("message-size", messageSize);
        flags.put("keys", keys);
        flags.put("compression", compression);
        flags.put("acks", acks);
        flags.put("guarantee", guarantee);
        flags.put("batch-size", batchSize);
        flags.put("linger-ms", lingerMs);
        flags.put("rate", rate);
        flags.put("warmup", warmup);
        flags.put("messages", messages);
        flags.put("duration", duration);
        flags.forEach((name, value) -> {
            if (value != null) {
                try {
                    b.set(name, value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--" + e.getMessage(), e);
                }
            }
        });
        return b.build();
    }
}
