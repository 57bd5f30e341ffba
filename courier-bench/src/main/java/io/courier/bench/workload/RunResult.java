package io.courier.bench.workload;

import java.util.List;
import java.util.Map;

/**
 * One measured run of a workload through one client. Its JSON form is the {@code runs[]} element of the report
 * schema documented in {@code docs/benchmarks.md}; renaming a component is a breaking change.
 *
 * @param client            {@code courier} or {@code raw}
 * @param workload          the workload
 * @param sweep             the swept parameter and its value in this run, empty when not sweeping
 * @param publish           what the producers achieved in the measured phase
 * @param consume           what the consumers achieved in the measured phase (zero with no consumers)
 * @param publishLatencyMs  send to acknowledgement (from the intended send time at a fixed rate)
 * @param endToEndLatencyMs send to handled by a consumer (from the intended send time at a fixed rate)
 * @param published         messages acknowledged in the measured phase
 * @param consumed          messages handled in the measured phase, over all groups
 * @param errors            sends of the measured phase that the broker did not acknowledge
 * @param cpuPercent        this JVM's CPU use during the measured phase, percent of one core
 * @param seconds           length of the measured phase
 * @param timeline          per-interval throughput during the measured phase
 * @param problems          why the run's numbers are incomplete (failed sends, messages not consumed, a producer
 *                          thread that stopped); empty for a complete run
 */
public record RunResult(String client, Workload workload, Map<String, String> sweep, Throughput publish,
        Throughput consume, Percentiles publishLatencyMs, Percentiles endToEndLatencyMs, long published,
        long consumed, long errors, double cpuPercent, double seconds, List<Sample> timeline, List<String> problems) {

    public RunResult {
        sweep = Map.copyOf(sweep);
        timeline = List.copyOf(timeline);
        problems = List.copyOf(problems);
    }

    /** A run without problems. */
    public RunResult(String client, Workload workload, Map<String, String> sweep, Throughput publish,
            Throughput consume, Percentiles publishLatencyMs, Percentiles endToEndLatencyMs, long published,
            long consumed, long errors, double cpuPercent, double seconds, List<Sample> timeline) {
        this(client, workload, sweep, publish, consume, publishLatencyMs, endToEndLatencyMs, published, consumed,
                errors, cpuPercent, seconds, timeline, List.of());
    }

    /**
     * @param messagesPerSec messages per second
     * @param mbPerSec       payload megabytes (10^6 bytes) per second
     */
    public record Throughput(double messagesPerSec, double mbPerSec) {}

    /**
     * Latency percentiles in milliseconds.
     *
     * @param count how many values
     * @param p50   median
     * @param p95   95th percentile
     * @param p99   99th percentile
     * @param p999  99.9th percentile
     * @param max   largest value
     */
    public record Percentiles(long count, double p50, double p95, double p99, double p999, double max) {
        /** No values. */
        public static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0, 0);
    }

    /**
     * Throughput over one interval of the measured phase.
     *
     * @param second         seconds since the measured phase began, at the interval's end
     * @param publishedPerSec messages acknowledged per second in the interval
     * @param consumedPerSec  messages handled per second in the interval
     */
    public record Sample(double second, double publishedPerSec, double consumedPerSec) {}
}
