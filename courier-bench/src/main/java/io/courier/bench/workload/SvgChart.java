package io.courier.bench.workload;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG markup, for {@link HtmlReport}: axes with tick labels, one polyline per series and a
 * legend below the plot. The x axis is numeric (from 0) or categorical (evenly spaced labels); the y axis is linear
 * from 0 or logarithmic, where zeros are drawn on an extra bottom row labelled 0. Non-finite y values are skipped.
 * The markup names no fonts, URLs or namespaces: the page's CSS styles it. Output depends only on the input.
 * Not thread-safe.
 */
final class SvgChart {
    private static final int WIDTH = 760;
    private static final int LEFT = 72;
    private static final int RIGHT = 24;
    private static final int TOP = 14;
    private static final int PLOT_HEIGHT = 280;
    private static final int AXIS_SPACE = 46;
    private static final int LEGEND_ROW = 18;

    private record Line(String label, String color, boolean dashed, double[] xs, double[] ys) {}

    private record Key(String label, String color, boolean dashed) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<String> categories;
    private final boolean logY;
    private final List<Line> lines = new ArrayList<>();
    private final List<Key> legend = new ArrayList<>();

    private SvgChart(String title, String xLabel, String yLabel, List<String> categories, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.categories = List.copyOf(categories);
        this.logY = logY;
    }

    /** @return a chart whose x axis is a number from 0, with a linear y axis from 0 */
    static SvgChart numeric(String title, String xLabel, String yLabel) {
        return new SvgChart(title, xLabel, yLabel, List.of(), false);
    }

    /** @return a chart whose x values are indexes into {@code categories}, drawn evenly spaced */
    static SvgChart categorical(String title, List<String> categories, String xLabel, String yLabel, boolean logY) {
        return new SvgChart(title, xLabel, yLabel, categories, logY);
    }

    /** Adds a series; its label shows as a tooltip (add a {@link #key} for the legend). @return this chart */
    SvgChart line(String label, String color, boolean dashed, double[] xs, double[] ys) {
        lines.add(new Line(label, color, dashed, xs.clone(), ys.clone()));
        return this;
    }

    /** Adds a legend entry. @return this chart */
    SvgChart key(String label, String color, boolean dashed) {
        legend.add(new Key(label, color, dashed));
        return this;
    }

    /** @return the {@code <svg>} element */
    String render() {
        Axis y = yAxis();
        double xMax = 1;
        for (Line l : lines) {
            for (double x : l.xs) {
                xMax = Double.isFinite(x) ? Math.max(xMax, x) : xMax;
            }
        }
        double xStep = niceStep(xMax);
        double xTop = categories.isEmpty() ? Math.ceil(xMax / xStep - 1e-9) * xStep : 0;
        int height = TOP + PLOT_HEIGHT + AXIS_SPACE + LEGEND_ROW * legend.size() + 6;
        int bottom = TOP + PLOT_HEIGHT;
        StringBuilder s = new StringBuilder(4096);
        s.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\" width=\"")
                .append(WIDTH).append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"")
                .append(esc(title)).append("\">\n");
        for (int i = 0; i < y.ticks.size(); i++) {
            double py = bottom - y.fraction(y.ticks.get(i)) * PLOT_HEIGHT;
            s.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                    + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT, py,
                    WIDTH - RIGHT, py, LEFT - 6, py + 4, esc(y.labels.get(i))));
        }
        if (categories.isEmpty()) {
            for (double t = 0; t <= xTop + xStep / 2; t += xStep) {
                tickX(s, LEFT + t / xTop * plotWidth(), compact(t));
            }
        } else {
            for (int i = 0; i < categories.size(); i++) {
                tickX(s, categoryX(i), categories.get(i));
            }
        }
        s.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                + "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", LEFT, TOP, LEFT, bottom, LEFT,
                bottom, WIDTH - RIGHT, bottom));
        s.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                + "<text class=\"label\" transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
                LEFT + plotWidth() / 2, bottom + 36, esc(xLabel), TOP + PLOT_HEIGHT / 2, esc(yLabel)));
        for (Line l : lines) {
            StringBuilder points = new StringBuilder();
            StringBuilder markers = new StringBuilder();
            int n = 0;
            for (int i = 0; i < Math.min(l.xs.length, l.ys.length); i++) {
                if (!Double.isFinite(l.xs[i]) || !Double.isFinite(l.ys[i])) {
                    continue;
                }
                double px = categories.isEmpty() ? LEFT + l.xs[i] / xTop * plotWidth() : categoryX((int) l.xs[i]);
                double py = bottom - y.fraction(l.ys[i]) * PLOT_HEIGHT;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                String at = categories.isEmpty() ? compact(l.xs[i]) : categories.get((int) l.xs[i]);
                markers.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">"
                        + "<title>%s: %s = %s</title></circle>", px, py, esc(l.color), esc(l.label), esc(at),
                        esc(compact(l.ys[i]))));
                n++;
            }
            s.append("<polyline class=\"series\" stroke=\"").append(esc(l.color)).append('"')
                    .append(l.dashed ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"")
                    .append(points.toString().trim()).append("\"><title>").append(esc(l.label))
                    .append("</title></polyline>\n");
            if (!categories.isEmpty() || n == 1) {
                s.append(markers).append('\n');
            }
        }
        for (int i = 0; i < legend.size(); i++) {
            Key k = legend.get(i);
            int ky = bottom + AXIS_SPACE + i * LEGEND_ROW + 6;
            s.append(String.format(Locale.ROOT, "<line class=\"key\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                    + "stroke=\"%s\"%s/><text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>\n", LEFT, ky, LEFT + 28, ky,
                    esc(k.color), k.dashed ? " stroke-dasharray=\"6 4\"" : "", LEFT + 36, ky + 4, esc(k.label)));
        }
        return s.append("</svg>\n").toString();
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private double categoryX(int index) {
        return LEFT + (index + 0.5) * plotWidth() / categories.size();
    }

    private static void tickX(StringBuilder s, double x, String label) {
        s.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP + PLOT_HEIGHT,
                x, TOP + PLOT_HEIGHT + 5, x, TOP + PLOT_HEIGHT + 18, esc(label)));
    }

    /** The y axis: its ticks, their labels, and where a value falls between bottom (0) and top (1). */
    private static final class Axis {
        final List<Double> ticks = new ArrayList<>();
        final List<String> labels = new ArrayList<>();
        final boolean log;
        final double low;
        final double lowestDecade;
        final double high;

        Axis(boolean log, double low, double lowestDecade, double high) {
            this.log = log;
            this.low = low;
            this.lowestDecade = lowestDecade;
            this.high = high;
        }

        double fraction(double v) {
            if (log) {
                return ((v > 0 ? Math.max(Math.log10(v), lowestDecade) : low) - low) / (high - low);
            }
            return Math.max(0, v) / high;
        }
    }

    private Axis yAxis() {
        double max = 0;
        double minPositive = Double.POSITIVE_INFINITY;
        boolean zero = false;
        for (Line l : lines) {
            for (double v : l.ys) {
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                    minPositive = v > 0 ? Math.min(minPositive, v) : minPositive;
                    zero |= v <= 0;
                }
            }
        }
        if (logY && max > 0) {
            int lo = (int) Math.floor(Math.log10(minPositive));
            int hi = Math.max(lo + 1, (int) Math.ceil(Math.log10(max)));
            // With zeros, one row below the lowest decade holds them (and nothing else).
            Axis a = new Axis(true, lo - (zero ? 1 : 0), lo, hi);
            if (zero) {
                a.ticks.add(0.0);
                a.labels.add("0");
            }
            for (int d = lo; d <= hi; d++) {
                a.ticks.add(Math.pow(10, d));
                a.labels.add(compact(Math.pow(10, d)));
            }
            return a;
        }
        double step = niceStep(max > 0 ? max : 1);
        Axis a = new Axis(false, 0, 0, Math.ceil((max > 0 ? max : 1) / step - 1e-9) * step);
        for (double t = 0; t <= a.high + step / 2; t += step) {
            a.ticks.add(t);
            a.labels.add(compact(t));
        }
        return a;
    }

    /** @return 1, 2 or 5 times a power of ten, giving about 5 steps up to {@code max} */
    private static double niceStep(double max) {
        double raw = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    /** @return a short label: 4 significant digits, k/M/G suffixes */
    static String compact(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return plain(v / 1e9) + "G";
        } else if (a >= 1e6) {
            return plain(v / 1e6) + "M";
        } else if (a >= 1e4) {
            return plain(v / 1e3) + "k";
        }
        return plain(v);
    }

    private static String plain(double v) {
        return v == 0 ? "0" : new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** @return the text with {@code & < > " '} escaped, for HTML or SVG text and attribute values */
    static String esc(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
