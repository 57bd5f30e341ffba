package io.courier.bench.workload;

import io.courier.bench.Client;
import io.courier.bench.internal.BenchTopics;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs one workload through one client against a cluster: creates its topics, starts the consumers, publishes
 * (warm-up, then the measured phase), waits for the consumers to catch up, and deletes the topics. Not
 * thread-safe; one run at a time.
 */
public final class WorkloadRunner {
    private static final Duration DRAIN = Duration.ofMinutes(2);
    private final String bootstrapServers;
    private final Map<String, String> clientProperties;

    /**
     * @param bootstrapServers the cluster
     * @param clientProperties client settings for every client (security), as from {@code --command-config}
     */
    public WorkloadRunner(String bootstrapServers, Map<String, String> clientProperties) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.clientProperties = Map.copyOf(clientProperties);
    }

    /**
     * @param w        the workload
     * @param client   Courier or raw kafka-clients
     * @param sweep    the swept parameter and value, for the report; empty if none
     * @param progress receives a line about every second during the run
     * @return what was measured
     */
    public RunResult run(Workload w, Client client, Map<String, String> sweep, Consumer<String> progress) {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        try (Courier courier = Courier.connect(CourierConfig.builder(bootstrapServers).serviceName("courier-bench")
                .clientProperties(clientProperties).build())) {
            List<Topic<String, byte[]>> topics = new ArrayList<>();
            for (int t = 0; t < w.topics(); t++) {
                topics.add(Topic.builder("bench-" + runId + "-" + t, Serdes.string(), Serdes.bytes())
                        .partitions(w.partitions()).replicationFactor(w.replicationFactor()).build());
            }
            // Provisioning inside: topics it created before it failed (waiting for leaders, say) are deleted too.
            return BenchTopics.runThenDelete(() -> {
                courier.provision(topics.toArray(Topic[]::new));
                return measure(w, client, sweep, progress, courier, topics, runId);
            }, () -> deleteTopics(courier, topics));
        }
    }

    /**
     * Deletes the run's topics and the dead-letter topics its Courier subscribers created (the run id is random, so
     * left behind they would pile up), awaited, so that this run's deletion does not overlap the next run.
     */
    private static void deleteTopics(Courier courier, List<Topic<String, byte[]>> topics) {
        List<String> names = new ArrayList<>();
        topics.forEach(t -> {
            names.add(t.name());
            names.add(t.name() + ".dlt");
        });
        BenchTopics.delete(courier.admin(), names, courier.config().bootstrapServers());
    }

    private RunResult measure(Workload w, Client client, Map<String, String> sweep, Consumer<String> progress,
            Courier courier, List<Topic<String, byte[]>> topics, String runId) {
        // The consumers need the measurements before they start; the measured phase starts once they are assigned.
        java.util.concurrent.atomic.AtomicReference<Measurements> measurements = new java.util.concurrent.atomic.AtomicReference<>();
        Receivers receivers = w.consumers() == 0 ? null : new Receivers(client, w, courier, topics, runId,
                clientProperties, value -> measurements.get().consumed(value));
        try {
            if (receivers != null) {
                receivers.awaitAssignment(Duration.ofMinutes(1));
            }
            // Producers (and their transactions) are set up before the clock starts: setting up is not publishing.
            List<Sender> senders = new ArrayList<>();
            try {
                for (int p = 0; p < w.producers(); p++) {
                    senders.add(Sender.create(client, w, courier, topics.get(p % topics.size()), clientProperties,
                            "bench-" + runId + "-" + p));
                }
            } catch (RuntimeException e) { // their threads would close them: close the ones made before it failed
                senders.forEach(Sender::close);
                throw e;
            }
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            Measurements m = new Measurements(start + w.warmup().toNanos());
            measurements.set(m);
            Timeline timeline = new Timeline(m, progress);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < w.producers(); p++) {
                Sender sender = senders.get(p);
                long quota = w.messages() == 0 ? Long.MAX_VALUE
                        : w.messages() / w.producers() + (p == 0 ? w.messages() % w.producers() : 0);
                Thread t = new Thread(() -> produce(w, sender, m, quota), "bench-producer-" + p);
                t.start();
                producers.add(t);
            }
            timeline.start();
            for (Thread t : producers) {
                join(t);
            }
            long expected = m.published.get() * w.consumerGroups();
            long drainDeadline = System.nanoTime() + DRAIN.toNanos();
            while (receivers != null && m.consumed.get() < expected && System.nanoTime() < drainDeadline
                    && receivers.failure() == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            timeline.stop();
            long end = Math.max(m.measureStart, Math.max(m.lastAck(), m.lastConsumed())); // nothing recorded: start
            double seconds = (end - m.measureStart) / 1e9;
            double mb = w.messageSize() / 1e6;
            RunResult.Throughput publish = new RunResult.Throughput(m.publishedPerSecond(),
                    m.publishedPerSecond() * mb);
            RunResult.Throughput consume = receivers == null ? new RunResult.Throughput(0, 0)
                    : new RunResult.Throughput(m.consumedPerSecond(), m.consumedPerSecond() * mb);
            return new RunResult(client.name().toLowerCase(Locale.ROOT), w, sweep, publish, consume,
                    m.publishLatency.percentiles(), m.endToEndLatency.percentiles(), m.published.get(),
                    m.consumed.get(), m.errors.get(), m.cpuPercent(end), seconds, m.timeline(),
                    problems(m, receivers == null ? 0 : expected, receivers == null ? null : receivers.failure()));
        } finally {
            if (receivers != null) {
                receivers.close();
            }
        }
    }

    /** @return why the run's numbers are incomplete, if they are */
    static List<String> problems(Measurements m, long expectedConsumed, Throwable consumerFailure) {
        List<String> problems = new ArrayList<>(m.producerFailures);
        if (consumerFailure != null) {
            problems.add("a raw consumer stopped: " + consumerFailure);
        }
        if (m.errors.get() > 0) {
            problems.add(m.errors.get() + " send(s) of the measured phase were not acknowledged");
        }
        if (m.consumed.get() < expectedConsumed) {
            problems.add((expectedConsumed - m.consumed.get()) + " of " + expectedConsumed + " acknowledged "
                    + "message(s) (over all groups) were not consumed within " + DRAIN.toMinutes() + " minute(s) "
                    + "after the last send, so the end-to-end percentiles leave out the slowest");
        }
        return problems;
    }

    /** One producer thread: warm-up until the measured phase starts, then its quota or the duration. */
    private static void produce(Workload w, Sender sender, Measurements m, long quota) {
        Pacer pacer = new Pacer((double) w.rate() / w.producers(), System::nanoTime, LockSupport::parkNanos);
        long stopAt = w.messages() == 0 ? m.measureStart + w.duration().toNanos() : Long.MAX_VALUE;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (sender) {
            long measured = 0;
            for (long seq = 0; measured < quota; seq++) {
                long intended = pacer.next();
                if (intended >= stopAt) {
                    break;
                }
                byte[] value = new byte[w.messageSize()];
                Measurements.stamp(value, intended, seq);
                String key = switch (w.keys().kind()) {
                    case NONE -> null;
                    case RANDOM -> Long.toHexString(random.nextLong());
                    case FIXED -> "key-" + (seq % w.keys().count());
                };
                sender.send(key, value, error -> m.acked(intended, error));
                if (intended >= m.measureStart) {
                    measured++;
                }
            }
            sender.flush();
        } catch (RuntimeException e) {
            m.producerFailures.add(Thread.currentThread().getName() + " stopped before its quota: " + e);
            throw e;
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + t.getName(), e);
        }
    }
}
