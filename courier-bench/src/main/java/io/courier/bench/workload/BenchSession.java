package io.courier.bench.workload;

import io.courier.bench.Client;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One {@code courier bench} invocation: the workload, or one per value of a swept parameter, each through Courier
 * and, with {@code --compare raw}, through raw kafka-clients too, alternating which goes first.
 */
public final class BenchSession {

    /**
     * A parameter to vary and its values.
     *
     * @param parameter a flag name from {@link Workload#SWEEPABLE}
     * @param values    its values, as text
     */
    public record Sweep(String parameter, List<String> values) {
        public Sweep {
            values = List.copyOf(values);
        }

        /**
         * @param text {@code PARAM=V1,V2,...}
         * @return the sweep
         * @throws IllegalArgumentException naming what is wrong and what is expected
         */
        public static Sweep parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new IllegalArgumentException("--sweep must look like PARAM=V1,V2,... (for instance "
                        + "message-size=100,1000,10000), but was '" + text + "'");
            }
            String parameter = text.substring(0, eq).trim();
            if (!Workload.SWEEPABLE.contains(parameter)) {
                throw new IllegalArgumentException("--sweep cannot vary '" + parameter + "'; it can vary "
                        + String.join(", ", Workload.SWEEPABLE));
            }
            return new Sweep(parameter, Arrays.stream(text.substring(eq + 1).split(",")).map(String::trim)
                    .filter(v -> !v.isEmpty()).toList());
        }
    }

    private BenchSession() {}

    /**
     * Builds every workload first, so that a bad sweep value fails before anything runs.
     *
     * @return the workloads to run, with the sweep value of each (empty map without a sweep)
     * @throws IllegalArgumentException naming the first invalid value
     */
    public static List<Map.Entry<Workload, Map<String, String>>> plan(Workload base, Optional<Sweep> sweep) {
        if (sweep.isEmpty()) {
            return List.of(Map.entry(base, Map.of()));
        }
        List<Map.Entry<Workload, Map<String, String>>> plan = new ArrayList<>();
        for (String v : sweep.get().values()) {
            plan.add(Map.entry(base.toBuilder().set(sweep.get().parameter(), v).build(),
                    Map.of(sweep.get().parameter(), v)));
        }
        return plan;
    }

    /**
     * Runs the plan.
     *
     * @param runner     runs one workload
     * @param base       the workload
     * @param sweep      the swept parameter, if any
     * @param compareRaw whether to run raw kafka-clients too
     * @param progress   receives progress lines
     * @return the report
     */
    public static BenchReport run(WorkloadRunner runner, Workload base, Optional<Sweep> sweep, boolean compareRaw,
            Consumer<String> progress) {
        List<Map.Entry<Workload, Map<String, String>>> plan = plan(base, sweep);
        List<RunResult> runs = new ArrayList<>();
        List<BenchReport.Ratio> ratios = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            Workload w = plan.get(i).getKey();
            Map<String, String> point = plan.get(i).getValue();
            List<Client> order = !compareRaw ? List.of(Client.COURIER)
                    : i % 2 == 0 ? List.of(Client.RAW, Client.COURIER) : List.of(Client.COURIER, Client.RAW);
            RunResult courier = null;
            RunResult raw = null;
            for (Client c : order) {
                progress.accept(c.name().toLowerCase(Locale.ROOT) + ": " + w.describe()
                        + (point.isEmpty() ? "" : " [" + point + "]"));
                RunResult r = runner.run(w, c, point, line -> progress.accept("  " + line));
                runs.add(r);
                if (c == Client.COURIER) {
                    courier = r;
                } else {
                    raw = r;
                }
            }
            if (compareRaw) {
                ratios.add(ratio(w.name() + (point.isEmpty() ? "" : " " + point), courier, raw));
            }
        }
        return new BenchReport(runs, ratios, sweep.map(Sweep::parameter).orElse(null));
    }

    static BenchReport.Ratio ratio(String name, RunResult courier, RunResult raw) {
        return new BenchReport.Ratio(name, div(courier.publish().messagesPerSec(), raw.publish().messagesPerSec()),
                div(courier.consume().messagesPerSec(), raw.consume().messagesPerSec()),
                div(courier.endToEndLatencyMs().p99(), raw.endToEndLatencyMs().p99()));
    }

    private static double div(double a, double b) {
        return b == 0 ? 0 : a / b;
    }

    /** @return the console table: one line per run, then the ratios */
    public static String table(BenchReport report) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%-8s %-18s %12s %8s %12s | %-31s | %-31s | %6s %6s%n", "client", "sweep", "publish/s", "MB/s",
                "consume/s", "publish ms p50/p99/p99.9/max", "end-to-end ms p50/p99/p99.9/max", "errors", "cpu%"));
        for (RunResult r : report.runs()) {
            sb.append(String.format(Locale.ROOT, "%-8s %-18s %,12.0f %8.1f %,12.0f | %-31s | %-31s | %6d %6.0f%n",
                    r.client(), r.sweep().isEmpty() ? "-" : r.sweep().toString(), r.publish().messagesPerSec(),
                    r.publish().mbPerSec(), r.consume().messagesPerSec(), fmt(r.publishLatencyMs()),
                    fmt(r.endToEndLatencyMs()), r.errors(), r.cpuPercent()));
        }
        for (BenchReport.Ratio q : report.ratios()) {
            sb.append(String.format(Locale.ROOT, "Courier / raw %s: publish %.3f, consume %.3f, end-to-end p99 %.3f%n",
                    q.workload(), q.publishThroughput(), q.consumeThroughput(), q.endToEndP99()));
        }
        for (RunResult r : report.runs()) {
            for (String problem : r.problems()) {
                sb.append("INCOMPLETE ").append(r.client()).append(r.sweep().isEmpty() ? "" : " " + r.sweep())
                        .append(": ").append(problem).append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    private static String fmt(RunResult.Percentiles p) {
        return p.count() == 0 ? "-" : String.format(Locale.ROOT, "%.1f/%.1f/%.1f/%.1f", p.p50(), p.p99(), p.p999(), p.max());
    }
}
