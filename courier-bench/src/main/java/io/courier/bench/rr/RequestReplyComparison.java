package io.courier.bench.rr;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.bench.LatencyStats;
import io.courier.common.CourierException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Request-reply over Kafka (Courier) against the same echo interaction over HTTP/1.1 (the JDK's client and
 * server), in one run: for each number of requests in flight, a closed loop that keeps that many outstanding and
 * records each one's latency from send to reply. Optionally one more run per transport in which the responder is
 * down for a while in the middle.
 *
 * @param bootstrapServers the cluster
 * @param clientProperties Kafka client settings for every Kafka client (security, as from {@code --command-config})
 * @param requests         measured requests per run
 * @param inFlight         the numbers of requests in flight to run
 * @param payloadSize      request (and echoed reply) size in bytes
 * @param timeout          how long a caller waits for a reply
 * @param outage           how long the responder is down in the outage run; zero skips that run
 * @param outageInFlight   requests in flight during the outage run
 */
public record RequestReplyComparison(String bootstrapServers, Map<String, String> clientProperties, int requests, List<Integer> inFlight, int payloadSize,
        Duration timeout, Duration outage, int outageInFlight) {

    /** Responder threads (HTTP server threads; Kafka responder consumers and request partitions). */
    static final int RESPONDER_THREADS = 4;

    public RequestReplyComparison {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        clientProperties = Map.copyOf(clientProperties);
        requireArgument(requests >= 1, "requests must be at least 1, but was %s", requests);
        requireArgument(inFlight != null && !inFlight.isEmpty() && inFlight.stream().allMatch(n -> n >= 1),
                "in-flight values must be at least 1, but were %s", inFlight);
        requireArgument(payloadSize >= 8, "payload size must be at least 8 bytes, but was %s", payloadSize);
        requireArgument(timeout != null && !timeout.isNegative() && !timeout.isZero(),
                "timeout must be positive, but was %s", timeout);
        requireArgument(outage != null && !outage.isNegative(), "outage must be zero or more, but was %s", outage);
        requireArgument(outageInFlight >= 1, "outage in-flight must be at least 1, but was %s", outageInFlight);
        inFlight = List.copyOf(inFlight);
    }

    /**
     * One measured run.
     *
     * @param transport        {@code kafka} or {@code http}
     * @param scenario         {@code steady}, or {@code responder-outage}
     * @param inFlight         requests kept outstanding
     * @param requests         requests sent
     * @param errors           requests without a correct reply (error reply, timeout, or a failed call)
     * @param throughputPerSec replies per second over the run
     * @param latencyMs        send-to-reply latency of every request, errors included
     */
    public record Run(String transport, String scenario, int inFlight, int requests, long errors,
            double throughputPerSec, LatencyStats latencyMs) {}

    /** Every run, in the order measured. */
    public record Result(List<Run> runs) {

        /** @return a console table, one line per run */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-6s %-16s %9s %9s %7s %12s %9s %9s %9s %9s%n",
                    "via", "scenario", "in-flight", "requests", "errors", "requests/s", "p50 ms", "p99 ms", "p99.9 ms",
                    "max ms"));
            for (Run r : runs) {
                LatencyStats l = r.latencyMs();
                sb.append(String.format(Locale.ROOT, "%-6s %-16s %9d %9d %7d %,12.0f %9.2f %9.2f %9.2f %9.2f%n",
                        r.transport(), r.scenario(), r.inFlight(), r.requests(), r.errors(), r.throughputPerSec(),
                        l.p50(), l.p99(), l.p999(), l.max()));
            }
            return sb.toString();
        }
    }

    /**
     * Runs everything.
     *
     * @param progress receives a line per finished run
     * @return the runs
     * @throws Exception if a transport cannot be set up
     */
    public Result run(Consumer<String> progress) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (Transport kafka = new KafkaTransport(bootstrapServers, clientProperties, timeout, RESPONDER_THREADS);
                Transport http = new HttpTransport(timeout, RESPONDER_THREADS)) {
            Transport[] both = {kafka, http};
            for (Transport t : both) {
                // Unmeasured: class loading, JIT, connections and group joins.
                measure(t, "warm-up", 8, Math.max(500, Math.min(requests, 5_000)), Duration.ZERO);
            }
            progress.accept("warm-up done");
            for (int i = 0; i < inFlight.size(); i++) {
                // Alternate which transport goes first: a shared machine's speed drifts.
                Transport[] order = i % 2 == 0 ? both : new Transport[] {http, kafka};
                for (Transport t : order) {
                    Run r = measure(t, "steady", inFlight.get(i), requests, Duration.ZERO);
                    runs.add(r);
                    progress.accept(describe(r));
                }
            }
            if (!outage.isZero()) {
                for (Transport t : both) {
                    Run r = measure(t, "responder-outage", outageInFlight, requests, outage);
                    runs.add(r);
                    progress.accept(describe(r));
                }
            }
        }
        return new Result(runs);
    }

    private static String describe(Run r) {
        return String.format(Locale.ROOT, "%s %s, %d in flight: %,.0f requests/s, p99 %.2f ms, %d errors",
                r.transport(), r.scenario(), r.inFlight(), r.throughputPerSec(), r.latencyMs().p99(), r.errors());
    }

    private Run measure(Transport t, String scenario, int slots, int count, Duration down) throws Exception {
        Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        Semaphore free = new Semaphore(slots);
        CountDownLatch done = new CountDownLatch(count);
        AtomicLong errors = new AtomicLong();
        AtomicInteger completed = new AtomicInteger();
        byte[] base = new byte[payloadSize];
        ThreadLocalRandom.current().nextBytes(base);
        Thread outageThread = down.isZero() ? null : startOutage(t, completed, count, down);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            free.acquire();
            byte[] payload = base.clone();
            ByteBuffer.wrap(payload).putLong(0, i); // each reply must echo its own request
            long sent = System.nanoTime();
            CompletableFuture<Boolean> call;
            try {
                call = t.call(payload);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((ok, error) -> {
                long us = Math.min((System.nanoTime() - sent) / 1_000, micros.getHighestTrackableValue());
                synchronized (micros) {
                    micros.recordValue(us);
                }
                if (error != null || !Boolean.TRUE.equals(ok)) {
                    errors.incrementAndGet();
                }
                completed.incrementAndGet();
                free.release();
                done.countDown();
            });
        }
        if (!done.await(timeout.toMillis() * 2 + down.toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
            // The transport failed to settle them: not bad input (exit 1, not 2).
            throw new CourierException(t.name() + " " + scenario + ": " + done.getCount()
                    + " requests neither answered nor timed out in time");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (outageThread != null) {
            outageThread.join();
        }
        synchronized (micros) {
            return new Run(t.name(), scenario, slots, count, errors.get(), count / seconds, LatencyStats.of(micros));
        }
    }

    /** Stops the responder once a third of the requests are answered, and starts it again after {@code down}. */
    private static Thread startOutage(Transport t, AtomicInteger completed, int count, Duration down) {
        Thread thread = new Thread(() -> {
            try {
                while (completed.get() < count / 3) {
                    Thread.sleep(1);
                }
                t.stopResponder();
                Thread.sleep(down.toMillis());
                t.startResponder();
            } catch (Exception e) {
                throw new IllegalStateException("outage of " + t.name() + " failed", e);
            }
        }, "bench-outage-" + t.name());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
