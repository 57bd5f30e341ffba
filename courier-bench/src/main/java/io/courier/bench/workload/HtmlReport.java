package io.courier.bench.workload;

import static io.courier.bench.workload.SvgChart.esc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Renders a {@link BenchReport} as one self-contained HTML5 page: a table of the runs, the Courier / raw ratios when
 * present, and inline SVG line charts of throughput over time, latency percentiles and, when sweeping, publish
 * throughput and p99 latency against the swept value (one line per client).
 *
 * <p>The page carries its CSS and SVG inline and refers to nothing outside itself (no scripts, fonts or URLs), so it
 * opens in a browser without a network. Every text taken from the report is HTML-escaped. The output depends only on
 * the report (no timestamps), so equal reports render to equal pages.
 */
public final class HtmlReport {
    private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    private static final List<String> PERCENTILES = List.of("p50", "p95", "p99", "p99.9", "max");
    private static final String NONE = "&ndash;";
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em;color:#222}
            h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.8em}
            table{border-collapse:collapse;font-size:.9em}
            th,td{border:1px solid #ccc;padding:.25em .5em}th{background:#f3f3f3}
            td.n{text-align:right;font-variant-numeric:tabular-nums}
            .note{color:#555;font-size:.9em}
            svg.chart{display:block;max-width:100%;height:auto}
            svg .grid{stroke:#e4e4e4}svg .axis{stroke:#444}
            svg .series{fill:none;stroke-width:2}svg .key{stroke-width:2}
            svg text{fill:#333;font-size:12px}svg .label{font-size:13px}
            """;

    private HtmlReport() {}

    /**
     * @param report what a benchmark measured
     * @return the HTML page
     */
    public static String render(BenchReport report) {
        Objects.requireNonNull(report, "report");
        List<RunResult> runs = report.runs();
        StringBuilder out = new StringBuilder(32_768);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Courier benchmark report</title>\n<style>\n").append(CSS).append("</style>\n")
                .append("</head>\n<body>\n<h1>Courier benchmark report</h1>\n");
        out.append("<p class=\"note\">").append(runs.size()).append(" run(s)")
                .append(report.sweptParameter().map(p -> ", sweeping " + esc(p)).orElse(""))
                .append(". Latencies in milliseconds; throughput over the measured phase.</p>\n");
        runTable(out, report);
        if (!report.ratios().isEmpty()) {
            ratioTable(out, report.ratios());
        }
        out.append("<h2>Workloads</h2>\n<ul>\n");
        runs.stream().map(r -> r.workload().describe()).distinct()
                .forEach(d -> out.append("<li>").append(esc(d)).append("</li>\n"));
        out.append("</ul>\n");
        throughputChart(out, runs);
        latencyChart(out, runs);
        report.sweptParameter().ifPresent(parameter -> sweepCharts(out, runs, parameter));
        return out.append("</body>\n</html>\n").toString();
    }

    private static void runTable(StringBuilder out, BenchReport report) {
        List<RunResult> runs = report.runs();
        boolean sweeping = runs.stream().anyMatch(r -> !r.sweep().isEmpty());
        out.append("<h2>Runs</h2>\n<table>\n<thead>\n<tr><th rowspan=\"2\">#</th><th rowspan=\"2\">Client</th>")
                .append("<th rowspan=\"2\">Workload</th>").append(sweeping ? "<th rowspan=\"2\">Sweep</th>" : "")
                .append("<th colspan=\"3\">Throughput</th><th colspan=\"4\">Publish latency (ms)</th>")
                .append("<th colspan=\"4\">End-to-end latency (ms)</th><th rowspan=\"2\">Errors</th>")
                .append("<th rowspan=\"2\">CPU %</th></tr>\n<tr><th>publish msg/s</th><th>publish MB/s</th>")
                .append("<th>consume msg/s</th>")
                .append("<th>p50</th><th>p99</th><th>p99.9</th><th>max</th>".repeat(2)).append("</tr>\n</thead>\n")
                .append("<tbody>\n");
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            boolean consumers = r.workload().consumers() > 0;
            out.append("<tr><td class=\"n\">").append(i + 1).append("</td><td>").append(esc(r.client()))
                    .append("</td><td>").append(esc(r.workload().name())).append("</td>");
            if (sweeping) {
                out.append("<td>").append(sweepText(r).isEmpty() ? NONE : esc(sweepText(r))).append("</td>");
            }
            cell(out, String.format(Locale.ROOT, "%,.0f", r.publish().messagesPerSec()));
            cell(out, String.format(Locale.ROOT, "%.2f", r.publish().mbPerSec()));
            cell(out, consumers ? String.format(Locale.ROOT, "%,.0f", r.consume().messagesPerSec()) : NONE);
            latencyCells(out, r.publishLatencyMs(), true);
            latencyCells(out, r.endToEndLatencyMs(), consumers);
            cell(out, Long.toString(r.errors()));
            cell(out, String.format(Locale.ROOT, "%.0f", r.cpuPercent()));
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table>\n");
    }

    private static void latencyCells(StringBuilder out, RunResult.Percentiles p, boolean measured) {
        for (double v : new double[] {p.p50(), p.p99(), p.p999(), p.max()}) {
            cell(out, measured ? ms(v) : NONE);
        }
    }

    private static void cell(StringBuilder out, String html) {
        out.append("<td class=\"n\">").append(html).append("</td>");
    }

    private static void ratioTable(StringBuilder out, List<BenchReport.Ratio> ratios) {
        out.append("<h2>Courier / raw</h2>\n<p class=\"note\">Higher is better for throughput, lower for latency.</p>\n")
                .append("<table>\n<thead><tr><th>Workload</th><th>publish msg/s</th><th>consume msg/s</th>")
                .append("<th>end-to-end p99</th></tr></thead>\n<tbody>\n");
        for (BenchReport.Ratio r : ratios) {
            out.append("<tr><td>").append(esc(r.workload())).append("</td>");
            cell(out, ratio(r.publishThroughput()));
            cell(out, ratio(r.consumeThroughput()));
            cell(out, ratio(r.endToEndP99()));
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table>\n");
    }

    private static void throughputChart(StringBuilder out, List<RunResult> runs) {
        out.append("<h2>Throughput over time</h2>\n");
        if (runs.stream().allMatch(r -> r.timeline().isEmpty())) {
            out.append("<p class=\"note\">No samples.</p>\n");
            return;
        }
        SvgChart chart = SvgChart.numeric("Throughput over time", "seconds into the measured phase", "messages/s");
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            List<RunResult.Sample> t = r.timeline();
            double[] xs = t.stream().mapToDouble(RunResult.Sample::second).toArray();
            chart.line(label(i, r) + " published", color(i), false, xs,
                    t.stream().mapToDouble(RunResult.Sample::publishedPerSec).toArray());
            if (r.workload().consumers() > 0) {
                chart.line(label(i, r) + " consumed", color(i), true, xs,
                        t.stream().mapToDouble(RunResult.Sample::consumedPerSec).toArray());
            }
            chart.key(label(i, r), color(i), false);
        }
        out.append(chart.key("solid: published, dashed: consumed", "#999", true).render());
    }

    private static void latencyChart(StringBuilder out, List<RunResult> runs) {
        out.append("<h2>Latency percentiles</h2>\n");
        SvgChart chart = SvgChart.categorical("Latency percentiles", PERCENTILES, "percentile",
                "milliseconds (log scale)", true);
        double[] xs = {0, 1, 2, 3, 4};
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            chart.line(label(i, r) + " publish", color(i), false, xs, values(r.publishLatencyMs()));
            if (r.workload().consumers() > 0) {
                chart.line(label(i, r) + " end-to-end", color(i), true, xs, values(r.endToEndLatencyMs()));
            }
            chart.key(label(i, r), color(i), false);
        }
        out.append(chart.key("solid: publish, dashed: end-to-end", "#999", true).render());
    }

    private static double[] values(RunResult.Percentiles p) {
        return new double[] {p.p50(), p.p95(), p.p99(), p.p999(), p.max()};
    }

    /** Publish msg/s and p99 against the swept value, in run order, one line per client. */
    private static void sweepCharts(StringBuilder out, List<RunResult> runs, String parameter) {
        List<RunResult> swept = runs.stream().filter(r -> r.sweep().containsKey(parameter)).toList();
        List<String> values = new ArrayList<>(swept.stream().map(r -> r.sweep().get(parameter))
                .collect(Collectors.toCollection(LinkedHashSet::new)));
        Set<String> clients = swept.stream().map(RunResult::client).collect(Collectors.toCollection(LinkedHashSet::new));
        boolean endToEnd = swept.stream().anyMatch(r -> r.workload().consumers() > 0);
        String latency = endToEnd ? "end-to-end p99" : "publish p99";
        out.append("<h2>Sweep: publish throughput by ").append(esc(parameter)).append("</h2>\n");
        if (values.isEmpty()) {
            out.append("<p class=\"note\">No run carries a value for ").append(esc(parameter)).append(".</p>\n");
            return;
        }
        SvgChart throughput = SvgChart.categorical("Sweep: publish throughput", values, parameter, "messages/s", false);
        SvgChart p99 = SvgChart.categorical("Sweep: " + latency, values, parameter,
                latency + " ms (log scale)", true);
        int c = 0;
        for (String client : clients) {
            double[] xs = new double[values.size()];
            double[] rates = new double[values.size()];
            double[] lat = new double[values.size()];
            Arrays.fill(rates, Double.NaN);
            Arrays.fill(lat, Double.NaN);
            for (int i = 0; i < xs.length; i++) {
                xs[i] = i;
            }
            for (RunResult r : swept) {
                if (r.client().equals(client)) {
                    int i = values.indexOf(r.sweep().get(parameter));
                    rates[i] = r.publish().messagesPerSec();
                    lat[i] = !endToEnd ? r.publishLatencyMs().p99()
                            : r.workload().consumers() > 0 ? r.endToEndLatencyMs().p99() : Double.NaN;
                }
            }
            throughput.line(client, color(c), false, xs, rates).key(client, color(c), false);
            p99.line(client, color(c), false, xs, lat).key(client, color(c), false);
            c++;
        }
        out.append(throughput.render()).append("<h2>Sweep: ").append(latency).append(" by ").append(esc(parameter))
                .append("</h2>\n").append(p99.render());
    }

    /** @return the run's sweep as {@code parameter=value}, sorted, or empty */
    private static String sweepText(RunResult r) {
        return new TreeMap<>(r.sweep()).entrySet().stream().map(Map.Entry::toString)
                .collect(Collectors.joining(", "));
    }

    private static String label(int index, RunResult r) {
        String sweep = sweepText(r);
        return "#" + (index + 1) + " " + r.client() + " " + r.workload().name() + (sweep.isEmpty() ? "" : " " + sweep);
    }

    private static String color(int index) {
        return PALETTE[index % PALETTE.length];
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String ratio(double v) {
        return v == 0 ? NONE : String.format(Locale.ROOT, "%.2f&times;", v);
    }
}
