package io.courier.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

    private static RunResult run(String client, String name, String size, double rate, double p99) {
        Workload w = Workload.builder().set("name", name).set("message-size", size).build();
        List<RunResult.Sample> timeline = List.of(new RunResult.Sample(1, rate * 0.9, rate * 0.8),
                new RunResult.Sample(2, rate, rate), new RunResult.Sample(3, rate * 1.1, rate * 1.05));
        return new RunResult(client, w, Map.of("message-size", size), new RunResult.Throughput(rate, rate * 0.001),
                new RunResult.Throughput(rate * 0.99, rate * 0.00099),
                new RunResult.Percentiles(1000, 1.5, 2.5, p99, 9.75, 42),
                new RunResult.Percentiles(1000, 3, 4, p99 * 2, 20, 0), (long) rate * 3, (long) rate * 3, 7, 85.4, 3,
                timeline);
    }

    private static BenchReport report() {
        return new BenchReport(List.of(run("courier", "a<b & \"c\"", "100", 123_456, 3.25),
                run("raw", "a<b & \"c\"", "100", 130_000, 3.5), run("courier", "a<b & \"c\"", "1024", 60_000, 5.5),
                run("raw", "a<b & \"c\"", "1024", 61_000, 5.75)),
                List.of(new BenchReport.Ratio("a<b & \"c\" message-size=100", 0.95, 0.97, 0.93)), "message-size");
    }

    @Test
    void rendersTheRunTableAndCharts() {
        String html = HtmlReport.render(report());

        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(html).contains("123,456", "130,000", "123.46", "3.25", "9.75", "85", ">7<", "message-size=1024",
                "0.95&times;");
        assertThat(html).contains("<svg", "Throughput over time", "Latency percentiles", "Sweep: publish throughput",
                "Sweep: end-to-end p99");
        assertThat(html.split("<svg", -1)).hasSize(5);
        assertThat(html).contains("<polyline");
    }

    @Test
    void theLatencyChartsHaveALogScaleAndSayTheyDo() {
        String html = HtmlReport.render(report());

        // Publish p50 1.5 ms to max 42 ms, and end-to-end maxima of 0 (drawn on a row of their own): one tick per
        // decade, where a linear axis would have ticks 0, 10, 20...
        String percentiles = chart(html, "Latency percentiles");
        assertThat(percentiles).contains("milliseconds (log scale)");
        assertThat(yTicks(percentiles)).as("y ticks of the latency percentiles").containsExactly("0", "1", "10", "100");
        // End-to-end p99 6.5 to 11.5 ms against the swept message size.
        String sweepP99 = chart(html, "Sweep: end-to-end p99");
        assertThat(sweepP99).contains("end-to-end p99 ms (log scale)");
        assertThat(yTicks(sweepP99)).as("y ticks of the sweep's p99").containsExactly("1", "10", "100");
        // The throughput charts keep a linear axis from 0, and do not say log scale.
        assertThat(chart(html, "Sweep: publish throughput")).doesNotContain("log scale");
        assertThat(yTicks(chart(html, "Sweep: publish throughput"))).containsExactly("0", "50k", "100k", "150k");
        assertThat(chart(html, "Throughput over time")).doesNotContain("log scale");
    }

    /** @return the {@code <svg>} element whose aria-label is {@code title} */
    private static String chart(String html, String title) {
        int start = html.indexOf("<svg class=\"chart\" viewBox=");
        while (start >= 0) {
            String svg = html.substring(start, html.indexOf("</svg>", start));
            if (svg.contains("aria-label=\"" + title + "\"")) {
                return svg;
            }
            start = html.indexOf("<svg class=\"chart\" viewBox=", start + 1);
        }
        throw new AssertionError("no chart '" + title + "' in the page");
    }

    /** @return the labels of a chart's y axis, bottom to top (x tick labels are centred, y tick labels end-aligned) */
    private static List<String> yTicks(String svg) {
        return java.util.regex.Pattern.compile("<text class=\"tick\" [^>]*text-anchor=\"end\">([^<]*)</text>")
                .matcher(svg).results().map(m -> m.group(1)).toList();
    }

    @Test
    void isSelfContained() {
        String html = HtmlReport.render(report());

        assertThat(html).doesNotContain("http://", "https://", "<script", "@import", "url(");
    }

    @Test
    void escapesText() {
        String html = HtmlReport.render(report());

        assertThat(html).contains("a&lt;b &amp; &quot;c&quot;").doesNotContain("a<b", "& \"c\"");
    }

    @Test
    void isDeterministicAndHandlesAReportWithoutSweepOrConsumers() {
        assertThat(HtmlReport.render(report())).isEqualTo(HtmlReport.render(report()));

        Workload publishOnly = Workload.builder().set("consumers", "0").build();
        RunResult r = new RunResult("courier", publishOnly, Map.of(), new RunResult.Throughput(1000, 1),
                new RunResult.Throughput(0, 0), new RunResult.Percentiles(10, 0, 0, 1, 1, 2),
                RunResult.Percentiles.NONE, 1000, 0, 0, 50, 1, List.of());
        String html = HtmlReport.render(new BenchReport(List.of(r), List.of(), null));

        assertThat(html).contains("Throughput over time", "No samples", "Latency percentiles")
                .doesNotContain("Sweep", "Courier / raw");
        assertThat(HtmlReport.render(new BenchReport(List.of(), List.of(), null))).contains("0 run(s)");
    }
}
