package io.courier.bench.workload;

import java.util.Locale;
import java.util.function.Consumer;

/** Samples throughput once a second during the measured phase and prints a progress line. */
final class Timeline {
    private final Measurements m;
    private final Consumer<String> progress;
    private final Thread thread;
    private volatile boolean stopped;

    Timeline(Measurements m, Consumer<String> progress) {
        this.m = m;
        this.progress = progress;
        this.thread = new Thread(this::run, "bench-timeline");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            long now = System.nanoTime();
            if (m.measureStart > now) {
                progress.accept(String.format(Locale.ROOT, "warming up for %.0f s", (m.measureStart - now) / 1e9));
                Thread.sleep((m.measureStart - now) / 1_000_000, (int) ((m.measureStart - now) % 1_000_000));
            }
            m.markCpuStart();
            long lastPublished = 0;
            long lastConsumed = 0;
            long last = m.measureStart;
            while (!stopped) {
                Thread.sleep(1000);
                long t = System.nanoTime();
                long published = m.published.get();
                long consumed = m.consumed.get();
                double interval = (t - last) / 1e9;
                double pub = (published - lastPublished) / interval;
                double con = (consumed - lastConsumed) / interval;
                double second = (t - m.measureStart) / 1e9;
                m.sample(second, pub, con);
                progress.accept(String.format(Locale.ROOT, "%5.0fs  publish %,10.0f msg/s  consume %,10.0f msg/s  "
                                + "publish p99 %8.2f ms  errors %d", second, pub, con, m.publishLatency.percentiles().p99(),
                        m.errors.get()));
                lastPublished = published;
                lastConsumed = consumed;
                last = t;
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }
}
