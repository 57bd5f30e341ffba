package io.courier.bench.workload;

import io.courier.bench.Client;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.core.Courier;
import io.courier.core.Handlers;
import io.courier.core.Subscriber;
import io.courier.core.SubscriberOptions;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The consumers of a run: for each group and topic, {@code consumers} members, through Courier subscribers
 * (at-least-once: commit after handling) or raw {@link KafkaConsumer}s that poll, handle and commit the same way.
 * Both read {@code read_committed}.
 */
final class Receivers implements AutoCloseable {
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger assigned = new AtomicInteger();
    private int members;
    /** Why the first raw consumer thread that stopped on its own stopped; null while none did. */
    private volatile Throwable failure;

    Receivers(Client client, Workload w, Courier courier, List<Topic<String, byte[]>> topics, String runId,
            Map<String, String> clientProperties, Consumer<byte[]> onValue) {
        try {
            start(client, w, courier, topics, runId, clientProperties, onValue);
        } catch (RuntimeException | Error e) { // a later subscriber that cannot start: stop the ones before it
            close();
            throw e;
        }
    }

    private void start(Client client, Workload w, Courier courier, List<Topic<String, byte[]>> topics, String runId,
            Map<String, String> clientProperties, Consumer<byte[]> onValue) {
        for (int g = 0; g < w.consumerGroups(); g++) {
            for (Topic<String, byte[]> topic : topics) {
                String group = "bench-" + runId + "-g" + g + "-" + topic.name();
                if (client == Client.COURIER) {
                    subscribers.add(courier.subscriber(topic, SubscriberOptions.builder(group).concurrency(w.consumers())
                            .fromBeginning(true).build(), Handlers.all((m, ctx) -> onValue.accept(m.value()))).start());
                } else {
                    for (int c = 0; c < w.consumers(); c++) {
                        Thread t = new Thread(() -> poll(courier.config().bootstrapServers(), clientProperties, group,
                                topic.name(), onValue), "bench-raw-" + group + "-" + c);
                        t.setDaemon(true);
                        t.start();
                        threads.add(t);
                        members++;
                    }
                }
            }
        }
    }

    /** Waits until every member has partitions (raw) or every subscriber has (Courier). */
    void awaitAssignment(Duration timeout) {
        subscribers.forEach(s -> s.awaitAssignment(timeout));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (assigned.get() < members) {
            if (failure != null) {
                throw new CourierRetriableException("a raw consumer stopped before it got partitions: " + failure,
                        failure);
            }
            if (System.nanoTime() > deadline) {
                // As a Courier subscriber reports the same: the cluster could not, which is not bad input (exit 1).
                throw new CourierRetriableException("only " + assigned.get() + " of " + members
                        + " raw consumers got partitions within " + Durations.format(timeout));
            }
            sleep(20);
        }
    }

    private void poll(String servers, Map<String, String> clientProperties, String group, String topic,
            Consumer<byte[]> onValue) {
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put("bootstrap.servers", servers);
        c.put("group.id", group);
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        c.put("isolation.level", "read_committed");
        // Courier's subscribers set these whatever the command config says; so do raw's, to compare like with like.
        SubscriberOptions courierDefaults = SubscriberOptions.builder(group).build();
        c.put("group.protocol", courierDefaults.groupProtocol().name().toLowerCase(java.util.Locale.ROOT));
        c.put("max.poll.records", Integer.toString(courierDefaults.maxPollRecords()));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            pollUntilStopped(consumer, topic, onValue);
        } catch (RuntimeException | Error e) { // an authorization or commit failure: say it, instead of a timeout
            synchronized (this) {
                if (failure == null) {
                    failure = e;
                }
            }
            throw e;
        }
    }

    private void pollUntilStopped(KafkaConsumer<String, byte[]> consumer, String topic, Consumer<byte[]> onValue) {
        boolean counted = false;
        consumer.subscribe(List.of(topic));
        while (!stop.get()) {
            var records = consumer.poll(Duration.ofMillis(100));
            if (!counted && !consumer.assignment().isEmpty()) {
                counted = true;
                assigned.incrementAndGet();
            }
            for (ConsumerRecord<String, byte[]> r : records) {
                onValue.accept(r.value());
            }
            if (!records.isEmpty()) {
                consumer.commitSync(); // as Courier's at-least-once: commit after handling
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** @return why a raw consumer thread stopped on its own, or null */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        stop.set(true);
        subscribers.forEach(Subscriber::close);
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
