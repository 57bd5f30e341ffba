package io.courier.bench;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles in milliseconds, from an HdrHistogram of microseconds.
 *
 * @param count how many values
 * @param p50   median
 * @param p99   99th percentile
 * @param p999  99.9th percentile
 * @param max   largest value
 */
public record LatencyStats(long count, double p50, double p99, double p999, double max) {

    /** @param micros a histogram of microseconds @return its percentiles in milliseconds */
    public static LatencyStats of(Histogram micros) {
        return new LatencyStats(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()));
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
