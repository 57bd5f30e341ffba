package io.courier.bench;

import io.courier.bench.internal.BenchTopics;
import io.courier.common.CourierException;
import io.courier.common.Durations;
import io.courier.core.ClientFactory;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import io.courier.core.Handlers;
import io.courier.core.Publisher;
import io.courier.core.PublisherOptions;
import io.courier.core.Serdes;
import io.courier.core.Subscriber;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import io.courier.core.internal.EnvelopeCodec;
import io.courier.core.internal.MessageIds;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The two workloads, each runnable through either client with the same Kafka settings. */
final class Workloads {
    private static final Duration DRAIN = Duration.ofMinutes(2);
    private static final String SERVICE = "courier-bench";
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private final PublishComparison s;
    /** Prefixes this run's topics (and so its groups): an aborted or concurrent run's must not be read or deleted. */
    private final String runId = "cmp-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    /** What the raw producer's records carry: nothing, or a constant copy of Courier's envelope. */
    private final List<Header> rawHeaders;

    Workloads(PublishComparison settings) {
        this.s = settings;
        this.rawHeaders = settings.rawEnvelope() ? envelopeCopy(settings.envelope()) : List.of();
    }

    /**
     * Headers as Courier writes them on a benchmark record, written once by Courier's own codec: same names, same
     * lengths, so the raw records are as large as Courier's while the raw producer does no per-message work for them.
     */
    static List<Header> envelopeCopy(EnvelopeFormat format) {
        String id = MessageIds.next();
        RecordHeaders headers = new RecordHeaders();
        EnvelopeCodec.write(new Envelope(id, Serdes.bytes().messageType(new byte[0]), id, Optional.empty(),
                SERVICE, Instant.now().truncatedTo(ChronoUnit.MILLIS), Serdes.bytes().contentType(), Optional.empty()),
                headers, format);
        return List.of(headers.toArray());
    }

    /** The producer settings both clients use: Courier's at-least-once defaults, spelled out for the raw one. */
    private Map<String, Object> producerConfig() {
        Map<String, Object> m = new HashMap<>(s.clientProperties());
        m.put("bootstrap.servers", s.bootstrapServers());
        m.put("acks", "all");
        m.put("enable.idempotence", "true");
        m.put("linger.ms", "5");
        m.put("batch.size", Integer.toString(s.batchSize()));
        m.put("compression.type", "none");
        return m;
    }

    /**
     * One throughput round of both clients: each publishes {@code records} records to a topic of its own, both open at
     * once, in {@link PublishComparison#slices()} slices that take turns (the second client of a slice goes first in
     * the next), so that both meet the same moments of a machine whose speed drifts. Each slice is timed from its
     * first send to its last acknowledgement (a flush); a client's throughput is its records over the sum of its
     * slices' times.
     *
     * @param rawFirst whether the raw producer publishes the first slice
     * @return the raw and the Courier round, in the order of {@link Client}
     */
    PublishComparison.Round[] throughput(String name, int records, boolean rawFirst) {
        return onOwnTopics(name, (rawTopic, courierTopic) -> throughput(rawTopic, courierTopic, records, rawFirst));
    }

    /**
     * Runs a round on two new topics, {@code <run>-name-raw} and {@code <run>-name-courier}, and deletes them
     * afterwards, also when the round failed: a throughput round leaves a gigabyte per client, which the disk and
     * page cache get back. The dead-letter topic a Courier subscriber creates goes too.
     */
    private PublishComparison.Round[] onOwnTopics(String name,
            java.util.function.BiFunction<String, String, PublishComparison.Round[]> round) {
        List<String> topics = List.of(runId + "-" + name + "-raw", runId + "-" + name + "-courier");
        List<String> created = List.of(topics.get(0), topics.get(1), topics.get(1) + ".dlt");
        return BenchTopics.runThenDelete(() -> {
            topics.forEach(this::createTopic);
            return round.apply(topics.get(0), topics.get(1));
        }, () -> deleteTopics(created));
    }

    private void deleteTopics(List<String> topics) {
        try (Courier courier = connect()) {
            BenchTopics.delete(courier.admin(), topics, s.bootstrapServers());
        }
    }

    private PublishComparison.Round[] throughput(String rawTopic, String courierTopic, int records, boolean rawFirst) {
        byte[] payload = new byte[s.recordSize()];
        ThreadLocalRandom.current().nextBytes(payload);
        AtomicLong rawErrors = new AtomicLong();
        AtomicLong courierErrors = new AtomicLong();
        long[] nanos = new long[2];
        long[] cpu = new long[2];
        double[] perRequest = new double[2];
        double[] recordBytes = new double[2];
        ProducerCapture capture = new ProducerCapture();
        // Creating and closing clients is not publishing, and Courier's start-up checks (cluster reachable, topic
        // exists) would otherwise count: only the slices are timed.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
                Courier courier = connect(capture);
                Publisher<byte[], byte[]> publisher = courier.publisher(topic(courierTopic), publisherOptions())) {
            int[] sizes = PublishComparison.sliceSizes(records, s.slices());
            for (int slice = 0; slice < sizes.length; slice++) {
                for (Client c : PublishComparison.sliceOrder(slice, rawFirst)) {
                    long start = System.nanoTime();
                    long cpuStart = threadCpu();
                    if (c == Client.RAW) {
                        for (int i = 0; i < sizes[slice]; i++) {
                            producer.send(rawRecord(rawTopic, payload), countFailures(rawErrors));
                        }
                    } else {
                        for (int i = 0; i < sizes[slice]; i++) {
                            publisher.send(null, payload); // like the raw producer: no future per message, failures counted
                        }
                    }
                    cpu[c.ordinal()] += cpuStart < 0 ? 0 : threadCpu() - cpuStart;
                    if (c == Client.RAW) {
                        producer.flush();
                    } else {
                        flush(publisher, courierErrors);
                    }
                    nanos[c.ordinal()] += System.nanoTime() - start;
                }
            }
            perRequest[Client.RAW.ordinal()] = ProducerCapture.recordsPerRequest(producer);
            recordBytes[Client.RAW.ordinal()] = ProducerCapture.recordSize(producer);
            perRequest[Client.COURIER.ordinal()] = ProducerCapture.recordsPerRequest(capture.producer());
            recordBytes[Client.COURIER.ordinal()] = ProducerCapture.recordSize(capture.producer());
        }
        requireNoErrors(Client.RAW, rawTopic, rawErrors.get());
        requireNoErrors(Client.COURIER, courierTopic, courierErrors.get());
        boolean cpuKnown = threadCpu() >= 0;
        PublishComparison.Round[] rounds = new PublishComparison.Round[2];
        for (Client c : Client.values()) {
            int i = c.ordinal();
            double seconds = nanos[i] / 1e9;
            rounds[i] = new PublishComparison.Round(c, "throughput", records / seconds,
                    (double) records * s.recordSize() / 1e6 / seconds, perRequest[i], recordBytes[i],
                    cpuKnown ? cpu[i] / 1e3 / records : Double.NaN, null);
        }
        return rounds;
    }

    /**
     * One latency round of both clients, shaped like a throughput round: both open at once, each with a topic, a
     * producer and a consumer of its own; each sends the rate times {@code duration} messages at the fixed rate, in
     * {@link PublishComparison#slices()} slices that take turns. A slice ends once its client's consumer has received
     * all of it, so that the other client's slice starts with nothing in flight. A client's latencies are those of all
     * its slices.
     *
     * @param rawFirst whether the raw client sends the first slice
     * @return the raw and the Courier round, in the order of {@link Client}
     */
    PublishComparison.Round[] latency(String name, Duration duration, boolean rawFirst) {
        return onOwnTopics(name, (rawTopic, courierTopic) -> latency(rawTopic, courierTopic, duration, rawFirst));
    }

    private PublishComparison.Round[] latency(String rawTopic, String courierTopic, Duration duration, boolean rawFirst) {
        int total = (int) Math.min(Integer.MAX_VALUE, Math.max(1, s.ratePerSecond() * duration.toMillis() / 1000));
        Histogram[] micros = {new Histogram(TimeUnit.HOURS.toMicros(1), 3), new Histogram(TimeUnit.HOURS.toMicros(1), 3)};
        AtomicLong[] received = {new AtomicLong(), new AtomicLong()};
        AtomicLong[] errors = {new AtomicLong(), new AtomicLong()};
        double[] perRequest = new double[2];
        double[] recordBytes = new double[2];
        int raw = Client.RAW.ordinal();
        int courierIndex = Client.COURIER.ordinal();
        AtomicBoolean assigned = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = new Thread(() -> rawConsume(rawTopic, received(micros[raw], received[raw]), assigned, stop),
                "bench-raw-consumer");
        java.util.function.Consumer<byte[]> courierReceived = received(micros[courierIndex], received[courierIndex]);
        consumer.start();
        ProducerCapture capture = new ProducerCapture();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
                Courier courier = connect(capture);
                Publisher<byte[], byte[]> publisher = courier.publisher(topic(courierTopic), publisherOptions());
                Subscriber subscriber = courier.subscriber(topic(courierTopic), SubscriberOptions.builder("bench-" + courierTopic).build(),
                        Handlers.all((m, ctx) -> courierReceived.accept(m.value()))).start()) {
            await(assigned::get, Duration.ofSeconds(60), "the raw consumer's assignment");
            subscriber.awaitAssignment(Duration.ofSeconds(60));
            int[] sizes = PublishComparison.sliceSizes(total, Math.min(s.slices(), total));
            long[] sent = new long[2];
            for (int slice = 0; slice < sizes.length; slice++) {
                for (Client c : PublishComparison.sliceOrder(slice, rawFirst)) {
                    int i = c.ordinal();
                    // Each turn ends with a flush, so that a failed send ends the wait below instead of timing it out.
                    if (c == Client.RAW) {
                        paced(sizes[slice], value -> producer.send(rawRecord(rawTopic, value), countFailures(errors[raw])));
                        producer.flush();
                    } else {
                        paced(sizes[slice], value -> publisher.send(null, value));
                        flush(publisher, errors[courierIndex]);
                    }
                    long expected = sent[i] += sizes[slice];
                    await(() -> received[i].get() >= expected || errors[i].get() > 0, DRAIN,
                            c + "'s consumer to receive " + expected + " messages");
                }
            }
            perRequest[raw] = ProducerCapture.recordsPerRequest(producer);
            recordBytes[raw] = ProducerCapture.recordSize(producer);
            perRequest[courierIndex] = ProducerCapture.recordsPerRequest(capture.producer());
            recordBytes[courierIndex] = ProducerCapture.recordSize(capture.producer());
        } finally {
            stop.set(true);
            join(consumer);
        }
        requireNoErrors(Client.RAW, rawTopic, errors[raw].get());
        requireNoErrors(Client.COURIER, courierTopic, errors[courierIndex].get());
        PublishComparison.Round[] rounds = new PublishComparison.Round[2];
        for (Client c : Client.values()) {
            rounds[c.ordinal()] = new PublishComparison.Round(c, "latency", s.ratePerSecond(),
                    (double) s.ratePerSecond() * s.recordSize() / 1e6, perRequest[c.ordinal()],
                    recordBytes[c.ordinal()], null, LatencyStats.of(micros[c.ordinal()]));
        }
        return rounds;
    }

    /** A send callback that counts failed sends, as Courier's publisher counts them for its flush. */
    private static org.apache.kafka.clients.producer.Callback countFailures(AtomicLong failures) {
        return (metadata, e) -> {
            if (e != null) {
                failures.incrementAndGet();
            }
        };
    }

    /** Records each value's latency from the intended send time in its first 8 bytes, and counts it. */
    private static java.util.function.Consumer<byte[]> received(Histogram micros, AtomicLong count) {
        return value -> {
            long intended = ByteBuffer.wrap(value).getLong();
            synchronized (micros) {
                // Clamped to what the histogram tracks: an hour late is "at least an hour", not a dead consumer.
                micros.recordValue(Math.min(micros.getHighestTrackableValue(),
                        Math.max(0, (System.nanoTime() - intended) / 1000)));
            }
            count.incrementAndGet();
        };
    }

    /** @return this thread's CPU time in nanoseconds, or -1 where the JVM does not measure it */
    private static long threadCpu() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private ProducerRecord<byte[], byte[]> rawRecord(String topic, byte[] value) {
        return rawHeaders.isEmpty() ? new ProducerRecord<>(topic, value)
                : new ProducerRecord<>(topic, null, (byte[]) null, value, rawHeaders);
    }

    /** Sends {@code total} values at the fixed rate; each carries its intended send time in its first 8 bytes. */
    private void paced(long total, java.util.function.Consumer<byte[]> send) {
        long interval = 1_000_000_000L / s.ratePerSecond();
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            byte[] value = new byte[s.recordSize()];
            ByteBuffer.wrap(value).putLong(intended);
            send.accept(value);
        }
    }

    private void rawConsume(String topicName, java.util.function.Consumer<byte[]> onMessage, AtomicBoolean assigned, AtomicBoolean stop) {
        Map<String, Object> c = new HashMap<>(s.clientProperties());
        c.put("bootstrap.servers", s.bootstrapServers());
        c.put("group.id", "bench-" + topicName);
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        c.put("isolation.level", "read_committed");
        // Courier's subscribers set these whatever the command config says; so do raw's, to compare like with like.
        SubscriberOptions courierDefaults = SubscriberOptions.builder("bench-" + topicName).build();
        c.put("group.protocol", courierDefaults.groupProtocol().name().toLowerCase(java.util.Locale.ROOT));
        c.put("max.poll.records", Integer.toString(courierDefaults.maxPollRecords()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topicName));
            while (!stop.get()) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (!consumer.assignment().isEmpty()) {
                    assigned.set(true);
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    onMessage.accept(r.value());
                }
                if (!records.isEmpty()) {
                    consumer.commitSync(); // the same commit-after-handling as Courier's at-least-once
                }
            }
        }
    }

    /** Flushes; a flush that reports unacknowledged messages counts them as errors. */
    private static void flush(Publisher<byte[], byte[]> publisher, AtomicLong errors) {
        try {
            publisher.flush();
        } catch (CourierException e) {
            java.util.regex.Matcher count = java.util.regex.Pattern.compile("^(\\d+) message").matcher(e.getMessage());
            errors.addAndGet(count.find() ? Long.parseLong(count.group(1)) : 1);
        }
    }

    private Courier connect() {
        return connect(ClientFactory.kafka());
    }

    private Courier connect(ClientFactory clients) {
        return Courier.connect(CourierConfig.builder(s.bootstrapServers()).serviceName(SERVICE)
                .clientProperties(s.clientProperties())
                .envelopeFormat(s.envelope()).clientFactory(clients).build());
    }

    /** Courier's at-least-once defaults with the comparison's batch size: the settings the raw producer gets. */
    private PublisherOptions publisherOptions() {
        return PublisherOptions.builder().batchSize(s.batchSize()).build();
    }


    private static Topic<byte[], byte[]> topic(String name) {
        return Topic.of(name, Serdes.bytes(), Serdes.bytes());
    }

    /** One partition, created through Courier, which waits until the partition has a leader. */
    private void createTopic(String name) {
        try (Courier courier = connect()) {
            courier.provision(topic(name));
        }
    }

    private static void requireNoErrors(Client client, String topic, long errors) {
        if (errors > 0) {
            throw new CourierException(client + " round on topic '" + topic + "' had " + errors
                    + " failed sends; the numbers would not compare like with like");
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!check.ok()) {
                if (System.nanoTime() > deadline) {
                    throw new CourierException("benchmark gave up waiting for " + what + " after "
                            + Durations.format(timeout));
                }
                Thread.sleep(20);
            }
        } catch (CourierException e) {
            throw e;
        } catch (Exception e) {
            throw new CourierException("benchmark failed while waiting for " + what + ": " + e, e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
