package io.courier.bench.workload;

import java.util.List;
import java.util.Optional;

/**
 * Everything one {@code courier bench} invocation measured: the {@code --json} document.
 *
 * @param runs   every run, in the order measured
 * @param ratios Courier / raw ratios of back-to-back pairs, when {@code --compare raw} was given
 * @param sweep  the swept parameter, or {@code null} without {@code --sweep}
 */
public record BenchReport(List<RunResult> runs, List<Ratio> ratios, String sweep) {

    public BenchReport {
        runs = List.copyOf(runs);
        ratios = List.copyOf(ratios);
    }

    /** @return whether a run's numbers are incomplete: see {@link RunResult#problems()} */
    public boolean incomplete() {
        return runs.stream().anyMatch(r -> !r.problems().isEmpty());
    }

    /** @return the swept parameter, if any */
    public Optional<String> sweptParameter() {
        return Optional.ofNullable(sweep);
    }

    /**
     * Courier's numbers divided by raw's for one workload (higher is better for throughput, lower for latency).
     *
     * @param workload          the workload's name (and sweep value)
     * @param publishThroughput Courier / raw publish messages per second
     * @param consumeThroughput Courier / raw consume messages per second, or 0 with no consumers
     * @param endToEndP99       Courier / raw end-to-end p99, or 0 with no consumers
     */
    public record Ratio(String workload, double publishThroughput, double consumeThroughput, double endToEndP99) {}
}
