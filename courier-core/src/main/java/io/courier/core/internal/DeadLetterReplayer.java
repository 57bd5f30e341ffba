package io.courier.core.internal;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.common.Durations;
import io.courier.core.CourierConfig;
import io.courier.core.DeadLetter;
import io.courier.core.ReplayOptions;
import io.courier.core.ReplayResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves dead letters back to their original topics, one acknowledged record at a time, rate-limited. A record that
 * is not a Courier dead letter is reported and moved past: left where it is, it would stop every later replay.
 */
final class DeadLetterReplayer {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterReplayer.class);
    private static final Set<String> DLT_HEADERS = Set.of(DeadLetter.Headers.ORIGINAL_TOPIC,
            DeadLetter.Headers.ORIGINAL_PARTITION, DeadLetter.Headers.ORIGINAL_OFFSET, DeadLetter.Headers.EXCEPTION_CLASS,
            DeadLetter.Headers.EXCEPTION_MESSAGE, DeadLetter.Headers.ATTEMPTS, DeadLetter.Headers.GROUP);

    private DeadLetterReplayer() {}

    /** How far a replay got: reported when it stops part-way, since what it moved past is committed. */
    private static final class Progress {
        long replayed;
        long skipped;
        long unreadable;
        final List<String> firstUnreadable = new ArrayList<>();

        long handled() {
            return replayed + skipped + unreadable;
        }

        /** @return "" before the first record, else what this replay did before it stopped */
        String sofar() {
            return handled() == 0 ? "" : " (before it stopped it replayed " + replayed + ", skipped " + skipped
                    + " and moved past " + unreadable + " unreadable record(s)"
                    + (firstUnreadable.isEmpty() ? "" : ", the first because: " + firstUnreadable.get(0)) + ")";
        }
    }

    static ReplayResult replay(CourierConfig config, String dlt, ReplayOptions options) {
        Progress progress = new Progress();
        try {
            return run(config, dlt, options, progress);
        } catch (CourierException e) {
            // Courier's own two kinds get the progress; a subclass (a correction's SerdeException, say) stays as it is.
            if (progress.handled() == 0 || e.getClass() != CourierException.class
                    && e.getClass() != CourierRetriableException.class) {
                throw e;
            }
            String message = e.getMessage() + progress.sofar();
            throw e instanceof CourierRetriableException ? new CourierRetriableException(message, e)
                    : new CourierException(message, e);
        } catch (KafkaException e) { // a timeout or a refused authorization: say where, not only what
            ConfigException refused = Causes.find(e, ConfigException.class); // Kafka's clients wrap some
            if (refused != null) { // a client setting Kafka refuses when it creates the client: nothing ran
                throw new IllegalArgumentException("invalid Kafka client settings for the dead-letter replay of '"
                        + dlt + "' at " + config.bootstrapServers() + ": " + refused.getMessage(), e);
            }
            String message = "dead-letter replay of '" + dlt + "' at " + config.bootstrapServers() + " stopped: " + e
                    + "; " + RESUME + progress.sofar();
            throw Futures.failure(message, e);
        }
    }

    /** Where a new replay starts after one that stopped, and what that means for the record it stopped at. */
    private static final String RESUME = "the records replayed before are committed; a new replay starts at the "
            + "first one not committed, which may have been written already if the stop came after its send "
            + "(at-least-once)";

    private static ReplayResult run(CourierConfig config, String dlt, ReplayOptions options, Progress progress) {
        Map<String, Object> consumerConfig = config.kafkaClientConfig();
        consumerConfig.put("group.id", options.groupId());
        consumerConfig.put("enable.auto.commit", "false");
        consumerConfig.put("auto.offset.reset", "earliest");
        consumerConfig.put("isolation.level", "read_committed");
        consumerConfig.put("allow.auto.create.topics", "false"); // a mistyped dead-letter topic must not appear
        Map<String, Object> producerConfig = config.kafkaClientConfig();
        producerConfig.put("acks", "all");
        producerConfig.put("enable.idempotence", "true");
        Duration delivery = deliveryTimeout(producerConfig, config.connectTimeout());
        Set<String> targets = new HashSet<>(); // original topics known to exist
        long intervalNanos = (long) (1_000_000_000L / options.messagesPerSecond());
        long next = System.nanoTime(); // the first record goes at once
        long stallNanos = 2 * config.connectTimeout().toNanos();
        try (Consumer<byte[], byte[]> consumer = config.clientFactory().consumer(consumerConfig);
                Producer<byte[], byte[]> producer = config.clientFactory().producer(producerConfig)) {
            List<TopicPartition> partitions = consumer.partitionsFor(dlt, config.connectTimeout()).stream()
                    .map(p -> new TopicPartition(dlt, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new CourierException("dead-letter topic '" + dlt + "' does not exist at " + config.bootstrapServers());
            }
            consumer.assign(partitions);
            // Replay what is there now; dead letters that arrive meanwhile wait for the next replay.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, config.connectTimeout());
            ReadStall stall = new ReadStall(consumer, partitions, end, Duration.ofNanos(stallNanos));
            polling:
            while (progress.handled() < options.maxMessages()
                    && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                List<TopicPartition> behind = stall.stuck(); // instead of waiting for ever
                if (behind != null) {
                    throw new CourierRetriableException("dead-letter replay of '" + dlt + "' at "
                            + config.bootstrapServers() + " moved no further for "
                            + Durations.format(Duration.ofNanos(stallNanos)) + " though partitions " + behind
                            + " hold more (is a leader missing?); " + RESUME);
                }
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    if (progress.handled() >= options.maxMessages()) {
                        break polling; // nothing after this record is committed: the next replay starts there
                    }
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue; // arrived during this replay; the same poll may still hold other partitions' records
                    }
                    DeadLetter letter;
                    try {
                        letter = read(r);
                    } catch (CourierException e) {
                        LOG.warn("dead-letter replay left a record in place and moved past it: {}", e.getMessage());
                        if (progress.unreadable++ < ReplayResult.MAX_LISTED) {
                            progress.firstUnreadable.add(e.getMessage());
                        }
                        commitPast(consumer, r);
                        continue;
                    }
                    DeadLetter corrected = options.correction().apply(letter);
                    if (corrected == null) {
                        progress.skipped++;
                    } else {
                        requireTarget(consumer, corrected.originalTopic(), r, targets, config);
                        next = pace(next, intervalNanos);
                        // Waits past the producer's own delivery timeout, so that the send has failed for good
                        // when this gives up: never left pending, to land after the failure was reported.
                        Futures.await(producer.send(toOriginal(corrected, r)), delivery.plusSeconds(5),
                                "replay " + where(r) + " to topic '"
                                        + corrected.originalTopic() + "'");
                        progress.replayed++;
                    }
                    commitPast(consumer, r);
                }
            }
        }
        return new ReplayResult(progress.replayed, progress.skipped, progress.unreadable, progress.firstUnreadable);
    }

    /**
     * Stops the replay at a dead letter whose topic is missing, before a send would wait for it (or a broker that
     * creates topics on demand would create it): unlike a foreign record, it can be replayed once the topic is back.
     */
    private static void requireTarget(Consumer<?, ?> consumer, String topic, ConsumerRecord<?, ?> r, Set<String> known,
            CourierConfig config) {
        if (known.contains(topic)) {
            return;
        }
        if (consumer.partitionsFor(topic, config.connectTimeout()).isEmpty()) {
            throw new CourierException("dead letter " + where(r) + " names original topic '" + topic + "', which does "
                    + "not exist at " + config.bootstrapServers() + "; create it and replay again (the replay continues "
                    + "at this record), or replay with a correction that skips it (returns null) or sends it elsewhere");
        }
        known.add(topic);
    }

    private static void commitPast(Consumer<?, ?> consumer, ConsumerRecord<?, ?> r) {
        consumer.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
    }

    private static String where(ConsumerRecord<?, ?> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    static DeadLetter read(ConsumerRecord<byte[], byte[]> r) {
        List<Header> original = new ArrayList<>();
        for (Header h : r.headers()) {
            if (!DLT_HEADERS.contains(h.key())) {
                original.add(new RecordHeader(h.key(), h.value()));
            }
        }
        String topic = text(r, DeadLetter.Headers.ORIGINAL_TOPIC);
        if (topic == null) {
            throw new CourierException(where(r) + " has no "
                    + DeadLetter.Headers.ORIGINAL_TOPIC + " header, so it is not a Courier dead letter and cannot be replayed");
        }
        try {
            TopicNames.requireLegal(topic);
        } catch (IllegalArgumentException e) {
            throw new CourierException(where(r) + " has header " + DeadLetter.Headers.ORIGINAL_TOPIC + "='" + shown(topic)
                    + "', which is not a legal topic name, so it cannot be replayed", e);
        }
        if (org.apache.kafka.common.internals.Topic.isInternal(topic)) {
            throw new CourierException(where(r) + " has header " + DeadLetter.Headers.ORIGINAL_TOPIC + "='" + topic
                    + "', one of Kafka's internal topics, which Courier never dead-letters, so it cannot be replayed");
        }
        return new DeadLetter(topic, (int) number(r, DeadLetter.Headers.ORIGINAL_PARTITION, -1),
                number(r, DeadLetter.Headers.ORIGINAL_OFFSET, -1),
                orElse(text(r, DeadLetter.Headers.EXCEPTION_CLASS), ""), orElse(text(r, DeadLetter.Headers.EXCEPTION_MESSAGE), ""),
                (int) number(r, DeadLetter.Headers.ATTEMPTS, 0), r.key(), r.value(), original);
    }

    private static long number(ConsumerRecord<byte[], byte[]> r, String header, long absent) {
        String text = text(r, header);
        try {
            long n = text == null ? absent : Long.parseLong(text.trim());
            if (n < Integer.MIN_VALUE || !header.equals(DeadLetter.Headers.ORIGINAL_OFFSET) && n > Integer.MAX_VALUE) {
                throw new NumberFormatException(text);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CourierException(where(r) + " has header " + header
                    + "='" + shown(text) + "'; expected a whole number, so it cannot be replayed");
        }
    }

    private static ProducerRecord<byte[], byte[]> toOriginal(DeadLetter d, ConsumerRecord<byte[], byte[]> from) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(d.originalTopic(), d.key(), d.value());
        d.headers().forEach(record.headers()::add);
        record.headers().remove(DeadLetter.Headers.REPLAYED_FROM); // an earlier replay's: only the latest one counts
        record.headers().add(DeadLetter.Headers.REPLAYED_FROM,
                (from.topic() + "-" + from.partition() + "@" + from.offset()).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static long pace(long next, long intervalNanos) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CourierException("dead-letter replay interrupted", e);
            }
        }
        // From the later of the planned time and now: after a pause the next record waits a whole interval too.
        return Math.max(next, System.nanoTime()) + intervalNanos;
    }

    /**
     * The producer's delivery timeout: the user's, or the connect timeout (Kafka requires it to be at least
     * request.timeout.ms + linger.ms, so those bound it from below).
     */
    static Duration deliveryTimeout(Map<String, Object> producerConfig, Duration connectTimeout) {
        if (producerConfig.containsKey("delivery.timeout.ms")) {
            Long chosen = ClientConfigs.millis(producerConfig.get("delivery.timeout.ms"));
            return chosen != null ? Duration.ofMillis(chosen) : connectTimeout; // not a number: Kafka names it
        }
        Long request = ClientConfigs.millis(producerConfig.get("request.timeout.ms"));
        Long linger = ClientConfigs.millis(producerConfig.get("linger.ms"));
        long requestMs = request != null ? request : Math.min(connectTimeout.toMillis(), 30_000);
        producerConfig.putIfAbsent("request.timeout.ms", Long.toString(requestMs));
        long deliveryMs = Math.max(connectTimeout.toMillis(), requestMs + (linger == null ? 5 : linger));
        producerConfig.put("delivery.timeout.ms", Long.toString(deliveryMs));
        return Duration.ofMillis(deliveryMs);
    }

    private static String text(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A header value from an unknown producer, fit for a log line: control characters escaped, at most 80 shown. */
    static String shown(String text) {
        StringBuilder sb = new StringBuilder();
        text.codePoints().limit(80).forEach(c -> sb.append(Character.isISOControl(c)
                ? String.format(java.util.Locale.ROOT, "\\u%04x", c) : new String(Character.toChars(c))));
        return text.codePointCount(0, text.length()) > 80 ? sb + "..." : sb.toString();
    }

    private static String orElse(String v, String fallback) {
        return v == null ? fallback : v;
    }
}
