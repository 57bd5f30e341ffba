package io.courier.eventsourcing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.common.CourierRetriableException;
import io.courier.core.CourierConfig;
import io.courier.eventsourcing.ProcessorOptions;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the processor makes of Kafka Streams' states and of its client properties, without a broker. */
@Timeout(value = 1, unit = TimeUnit.MINUTES) // a guard: a wait that does not end at once would take an hour
class StreamsCommandProcessorTest {
    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void awaitRunningFailsAtOnceWithTheStreamThreadsErrorWhenKafkaStreamsIsInError() {
        IllegalStateException boom = new IllegalStateException("boom");
        for (KafkaStreams.State failed : new KafkaStreams.State[] {KafkaStreams.State.PENDING_ERROR,
                KafkaStreams.State.ERROR}) {
            CourierException e = assertThrows(CourierException.class,
                    () -> StreamsCommandProcessor.awaitRunning("account", () -> failed, () -> boom, HOUR));

            assertThat(e).isNotInstanceOf(CourierRetriableException.class).hasCause(boom)
                    .hasMessage("command processor of aggregate 'account' is " + failed + " and will not run: a "
                            + "stream thread failed: java.lang.IllegalStateException: boom");
        }
    }

    @Test
    void awaitRunningFailsAtOnceWhenKafkaStreamsIsShuttingDownOrClosed() {
        for (KafkaStreams.State closed : new KafkaStreams.State[] {KafkaStreams.State.PENDING_SHUTDOWN,
                KafkaStreams.State.NOT_RUNNING}) {
            CourierException e = assertThrows(CourierException.class,
                    () -> StreamsCommandProcessor.awaitRunning("account", () -> closed, () -> null, HOUR));

            assertThat(e).isNotInstanceOf(CourierRetriableException.class)
                    .hasMessage("command processor of aggregate 'account' is " + closed + " and will not run: it was "
                            + "closed");
        }
    }

    @Test
    void awaitRunningIsRetriableWhileKafkaStreamsIsStillOnItsWay() {
        CourierRetriableException e = assertThrows(CourierRetriableException.class, () -> StreamsCommandProcessor
                .awaitRunning("account", () -> KafkaStreams.State.REBALANCING, () -> null, Duration.ZERO));

        assertThat(e).hasMessage("command processor of aggregate 'account' is REBALANCING, not RUNNING, after 0s");
        StreamsCommandProcessor.awaitRunning("account", () -> KafkaStreams.State.RUNNING, () -> null, Duration.ZERO);
    }

    @Test
    void theRecordLimitIsTheProducersMaxRequestSizeAsKafkaStreamsResolvesIt() {
        Properties p = new Properties();
        assertThat(StreamsCommandProcessor.maxRequestSize(p)).isEqualTo(1_048_576);
        p.put("max.request.size", "2000000");
        assertThat(StreamsCommandProcessor.maxRequestSize(p)).isEqualTo(2_000_000);
        p.put("producer.max.request.size", 3_000_000);
        assertThat(StreamsCommandProcessor.maxRequestSize(p)).as("the producer's own setting first")
                .isEqualTo(3_000_000);
        p.put("producer.max.request.size", "lots");
        assertThat(assertThrows(IllegalArgumentException.class, () -> StreamsCommandProcessor.maxRequestSize(p)))
                .hasMessage("producer.max.request.size must be a positive number of bytes, but was 'lots'");
    }

    @Test
    void aCommitIntervalIsRefusedBeforeStartWhenKafkaStreamsWouldRefuseItOrItsProducersWouldTimeOut() {
        java.util.Set<String> outcomes = new java.util.HashSet<>();
        for (String prefixed : new String[] {null, "60000"}) {
            for (String everyClient : new String[] {null, "5000", "60000"}) {
                for (long interval : new long[] {4_000, 8_000, 10_000, 10_001, 30_000, 60_000, 60_001}) {
                    Properties p = new Properties();
                    p.put("bootstrap.servers", "localhost:9092");
                    p.put("application.id", "p");
                    p.put("processing.guarantee", "exactly_once_v2");
                    p.put("commit.interval.ms", interval);
                    if (prefixed != null) {
                        p.put("producer.transaction.timeout.ms", prefixed);
                    }
                    if (everyClient != null) {
                        p.put("transaction.timeout.ms", everyClient);
                    }
                    ProcessorOptions options = ProcessorOptions.builder("p")
                            .commitInterval(Duration.ofMillis(interval)).build();
                    org.apache.kafka.streams.StreamsConfig[] kafka = new org.apache.kafka.streams.StreamsConfig[1];
                    boolean kafkaRefuses = refuses(() -> kafka[0] = new org.apache.kafka.streams.StreamsConfig(p));
                    // What Kafka Streams gives its producers, when it accepts the configuration at all.
                    boolean producersTimeOut = !kafkaRefuses && interval > Long.parseLong(
                            kafka[0].getProducerConfigs("c").get("transaction.timeout.ms").toString());
                    boolean courierRefuses = refuses(
                            () -> StreamsCommandProcessor.requireCommitIntervalWithinTransactionTimeout(p, options));
                    assertThat(courierRefuses).as("interval %d ms, producer.transaction.timeout.ms %s, "
                            + "transaction.timeout.ms %s", interval, prefixed, everyClient)
                            .isEqualTo(kafkaRefuses || producersTimeOut);
                    outcomes.add(kafkaRefuses + "/" + producersTimeOut);
                }
            }
        }
        assertThat(outcomes).as("Kafka accepting, Kafka refusing, and producers that would time out, all seen")
                .contains("false/false", "true/false", "false/true");
        Properties defaults = new Properties();
        ProcessorOptions tooLong = ProcessorOptions.builder("p").commitInterval(Duration.ofSeconds(15)).build();
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> StreamsCommandProcessor.requireCommitIntervalWithinTransactionTimeout(defaults, tooLong)))
                .hasMessage("ProcessorOptions.commitInterval of processor 'p' must not be longer than the transaction "
                        + "timeout of its producers, 10000 ms (producer.transaction.timeout.ms, Kafka Streams' default "
                        + "under exactly_once_v2), but was 15s");
    }

    @Test
    void theDeclaredReplicationFactorIsHandedToKafkaStreamsForTheChangelogItCreates() {
        CourierConfig plain = CourierConfig.builder("localhost:9092").build();
        ProcessorOptions declared = ProcessorOptions.builder("p").replicationFactor(3).build();
        ProcessorOptions unset = ProcessorOptions.builder("p").build();

        assertThat(replicationFactor(plain, declared)).isEqualTo(3);
        assertThat(replicationFactor(plain, unset)).as("Kafka Streams' default: the brokers' default.replication.factor")
                .isEqualTo(-1);
        assertThat(replicationFactor(CourierConfig.builder("localhost:9092").clientProperty("replication.factor", "2")
                .build(), unset)).as("a client property, when the options declare none").isEqualTo(2);
    }

    /** @return the replication factor Kafka Streams reads from the processor's configuration */
    private static int replicationFactor(CourierConfig config, ProcessorOptions options) {
        return new StreamsConfig(StreamsCommandProcessor.properties(config, options))
                .getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG);
    }

    private static boolean refuses(Runnable check) {
        try {
            check.run();
            return false;
        } catch (IllegalArgumentException | org.apache.kafka.common.config.ConfigException e) {
            return true;
        }
    }
}
