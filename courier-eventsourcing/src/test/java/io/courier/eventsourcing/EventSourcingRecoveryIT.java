package io.courier.eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.requestreply.Reply;
import io.courier.requestreply.ReplyHeaders;
import io.courier.requestreply.Requester;
import io.courier.requestreply.RequesterOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the write and read sides do when something they rely on is missing: a changelog, a reply target, an event. */
@EmbeddedKafka
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EventSourcingRecoveryIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static int counter;

    private final EmbeddedKafkaCluster cluster;
    private Courier courier;
    private Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> accounts;
    private Requester requester;
    private CommandGateway<Accounts.Command> gateway;

    EventSourcingRecoveryIT(EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void start() {
        // The default session timeout (45 s): a closed processor leaves its group, so a restart with the same
        // application id is not held up by the old member.
        courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("bank").build());
        accounts = Accounts.aggregate("recovered" + (++counter));
        requester = Requester.start(courier, RequesterOptions.builder(accounts.name() + ".replies").replyPartitions(2)
                .build());
        gateway = CommandGateway.of(requester, accounts);
    }

    @AfterEach
    void stop() {
        requester.close();
        courier.close();
    }

    private CommandProcessor<Accounts.Account> processor(String applicationId) {
        return CommandProcessor.start(courier, accounts, ProcessorOptions.builder(applicationId).build())
                .awaitRunning(Duration.ofMinutes(1));
    }

    private CommandResult send(String id, Accounts.Command command) throws Exception {
        Reply<CommandResult> reply = gateway.send(id, command, WAIT).get();
        assertThat(reply).as("reply to %s", command).isInstanceOf(Reply.Success.class);
        return ((Reply.Success<CommandResult>) reply).value();
    }

    /** @return what a plain read_committed consumer finds on {@code topic} now; none if it does not exist */
    private List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> plain = new KafkaConsumer<>(Map.of("bootstrap.servers",
                cluster.bootstrapServers(), "isolation.level", "read_committed", "allow.auto.create.topics", "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = plain.partitionsFor(topic, WAIT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            plain.assign(all);
            plain.seekToBeginning(all);
            Map<TopicPartition, Long> end = plain.endOffsets(all, WAIT);
            while (!all.stream().allMatch(tp -> plain.position(tp) >= end.get(tp))) {
                plain.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aProcessorWhoseChangelogIsLostRebuildsItsStatesFromTheEventsTopic() throws Exception {
        Duration brief = Duration.ofSeconds(10); // long enough for a cold processor, then waited out below
        try (CommandProcessor<Accounts.Account> first = processor(accounts.name() + "-a")) {
            assertThat(gateway.send("r-1", new Accounts.Open("kept"), brief).get()).isInstanceOf(Reply.Success.class);
            assertThat(gateway.send("r-1", new Accounts.Deposit(700), brief).get()).isInstanceOf(Reply.Success.class);
            assertThat(first.state("r-1").orElseThrow().version()).isEqualTo(2);
        }
        // Another application id: a new, empty changelog, as after deleting the old one. It also starts a new
        // consumer group, which reads the commands topic from its beginning: the two commands above come again,
        // past their deadline by then, and are rejected for it.
        Thread.sleep(brief.toMillis());
        try (CommandProcessor<Accounts.Account> second = processor(accounts.name() + "-b")) {
            CommandResult reopened = send("r-1", new Accounts.Open("again"));
            assertThat(reopened.accepted()).as("the account exists in its events").isFalse();
            assertThat(reopened.reason()).isEqualTo("account is already open");
            assertThat(reopened.version()).isEqualTo(2);

            CommandResult deposited = send("r-1", new Accounts.Deposit(5));
            assertThat(deposited.version()).isEqualTo(3);
            assertThat(second.state("r-1").orElseThrow().state()).isEqualTo(new Accounts.Account("kept", 705));
        }
        assertThat(Replay.rebuild(courier, accounts).duplicateEvents()).isZero();
    }

    @Test
    void aProcessorWhoseChangelogTopicWasDeletedRebuildsItsStatesFromTheEventsTopic() throws Exception {
        String applicationId = accounts.name() + "-processor";
        try (CommandProcessor<Accounts.Account> first = processor(applicationId)) {
            send("d-1", new Accounts.Open("kept"));
            send("d-1", new Accounts.Deposit(300));
            assertThat(first.state("d-1").orElseThrow().version()).isEqualTo(2);
        }
        String changelog = applicationId + "-aggregate-state-changelog";
        courier.admin().deleteTopics(java.util.List.of(changelog)).all().get(30, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !courier.admin().listTopics().names()
                .get(30, TimeUnit.SECONDS).contains(changelog));

        try (CommandProcessor<Accounts.Account> again = processor(applicationId)) {
            assertThat(again.state("d-1").orElseThrow().version()).as("restored from the rebuilt changelog")
                    .isEqualTo(2);
            assertThat(send("d-1", new Accounts.Open("again")).accepted()).isFalse();
            assertThat(send("d-1", new Accounts.Deposit(5)).version()).isEqualTo(3);
            assertThat(again.state("d-1").orElseThrow().state()).isEqualTo(new Accounts.Account("kept", 305));
        }
        assertThat(Replay.rebuild(courier, accounts).duplicateEvents()).isZero();
    }

    @Test
    void twoProcessorsStartingAtOnceOnALostChangelogRebuildItOnceAndNeitherGoesBackAVersion() throws Exception {
        Duration brief = Duration.ofSeconds(10); // as above: the new group re-reads these, past their deadline
        try (CommandProcessor<Accounts.Account> original = processor(accounts.name() + "-original")) {
            assertThat(gateway.send("t-1", new Accounts.Open("twin"), brief).get()).isInstanceOf(Reply.Success.class);
            assertThat(gateway.send("t-1", new Accounts.Deposit(300), brief).get()).isInstanceOf(Reply.Success.class);
            assertThat(original.state("t-1").orElseThrow().version()).isEqualTo(2);
        }
        Thread.sleep(brief.toMillis());
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.List<CommandProcessor<Accounts.Account>> started = new java.util.ArrayList<>();
        try {
            java.util.concurrent.Callable<CommandProcessor<Accounts.Account>> start =
                    () -> processor(accounts.name() + "-twins");
            for (java.util.concurrent.Future<CommandProcessor<Accounts.Account>> f : two.invokeAll(
                    java.util.List.of(start, start))) {
                try {
                    started.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) { // fenced by the other's rebuild
                    assertThat(e.getCause()).isInstanceOf(io.courier.common.CourierRetriableException.class)
                            .hasMessageContaining("another instance of processor");
                }
            }
            assertThat(started).as("at least one started").isNotEmpty();

            assertThat(send("t-1", new Accounts.Open("again")).accepted()).isFalse();
            assertThat(send("t-1", new Accounts.Deposit(5)).version()).isEqualTo(3);
        } finally {
            started.forEach(CommandProcessor::close);
            two.shutdownNow();
        }
        assertThat(Replay.rebuild(courier, accounts).duplicateEvents()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a partition the reply topic lacks", "an illegal topic name"})
    void aCommandNamingAReplyPartitionThatDoesNotExistIsAppliedUnansweredAndTheProcessorCarriesOn(String target)
            throws Exception {
        boolean illegal = target.equals("an illegal topic name");
        String id = illegal ? "p-2" : "p-1";
        try (CommandProcessor<Accounts.Account> processor = processor(accounts.name() + "-processor");
                KafkaProducer<String, String> plain = new KafkaProducer<>(Map.of("bootstrap.servers",
                        cluster.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            send(id, new Accounts.Open("patient"));
            ProducerRecord<String, String> stray = new ProducerRecord<>(accounts.commandsTopic(), id,
                    "{\"cents\":40}");
            stray.headers().add("ce_type", "Deposit".getBytes(StandardCharsets.UTF_8))
                    .add(ReplyHeaders.REPLY_TOPIC, (illegal ? "bank replies" : accounts.name() + ".replies")
                            .getBytes(StandardCharsets.UTF_8))
                    .add(ReplyHeaders.REPLY_PARTITION, (illegal ? "0" : "7") // the replies topic has 2
                            .getBytes(StandardCharsets.UTF_8));
            plain.send(stray).get();

            // Sent there, its answer would have failed the transaction, and every retry of it: nothing behind it
            // on the partition would be answered. To an illegal name, it would have stopped the processor for good.
            CommandResult next = send(id, new Accounts.Deposit(2));
            assertThat(next.version()).isEqualTo(3);
            assertThat(processor.state(id).orElseThrow().state().balance()).isEqualTo(42);
        }
    }

    @Test
    void aProjectionStopsAnAggregateAtTheVersionItCouldNotApplyInsteadOfSkippingIt() throws Exception {
        try (CommandProcessor<Accounts.Account> processor = processor(accounts.name() + "-processor")) {
            send("s-1", new Accounts.Open("unlucky"));
            CommandResult failed = send("s-1", new Accounts.Deposit(13)); // the projector fails on it, for good
            CommandResult after = send("s-1", new Accounts.Deposit(100));
            CommandResult other = send("s-2", new Accounts.OpenWithDeposit("lucky", 50));
            send("s-3", new Accounts.Open("unlucky too"));
            CommandResult lastFailed = send("s-3", new Accounts.Deposit(13)); // and nothing of s-3 after it
            try (Projection<Long> balances = Projection.start(courier, accounts, accounts.name() + "-balances",
                    (Long current, String id, Accounts.Event e) -> {
                        if (e instanceof Accounts.Deposited d && d.cents() == 13) {
                            throw new IllegalStateException("cannot project a deposit of 13");
                        }
                        long b = current == null ? 0 : current;
                        return e instanceof Accounts.Deposited d ? b + d.cents() : b;
                    })) {
                assertThat(processor.state("s-1").orElseThrow().state().balance()).as("the write side").isEqualTo(113);
                assertThat(balances.get("s-2", other.version(), WAIT)).contains(50L);
                balances.awaitOffsets(after.offsets(), WAIT);

                assertThat(balances.get("s-1")).as("the model at the last version applied, not past the gap")
                        .contains(0L);
                assertThat(balances.version("s-1")).isEqualTo(1);
                // At once, not after the wait: an hour, which the class's @Timeout would cut short.
                assertThatThrownBy(() -> balances.get("s-1", after.version(), Duration.ofHours(1)))
                        .isInstanceOf(CourierException.class)
                        .hasMessageContaining("stopped applying aggregate 's-1' at version 1")
                        .hasMessageContaining("failed for good (java.lang.IllegalStateException: cannot project a "
                                + "deposit of 13)");
                assertThatThrownBy(() -> balances.get("s-1", after.offsets(), Duration.ofHours(1)))
                        .as("by offsets, read past, as by version").isInstanceOf(CourierException.class)
                        .hasMessageContaining("stopped applying aggregate 's-1' at version 1");

                // With no later event of the aggregate to show the gap: the failure itself stops it, at once.
                assertThatThrownBy(() -> balances.get("s-3", lastFailed.offsets(), Duration.ofHours(1)))
                        .isInstanceOf(CourierException.class)
                        .hasMessageContaining("stopped applying aggregate 's-3' at version 1");
                assertThatThrownBy(() -> balances.get("s-3", lastFailed.version(), Duration.ofHours(1)))
                        .isInstanceOf(CourierException.class)
                        .hasMessageContaining("stopped applying aggregate 's-3' at version 1");

                String dlt = accounts.eventsTopic() + ".dlt";
                List<ConsumerRecord<byte[], byte[]>> dead = await().atMost(WAIT).until(() -> records(dlt),
                        r -> r.size() == 2);
                assertThat(dead).filteredOn(r -> new String(r.key(), StandardCharsets.UTF_8).equals("s-1"))
                        .singleElement().satisfies(r -> {
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("s-1");
                    assertThat(header(r, "courier_dlt_original_topic")).isEqualTo(accounts.eventsTopic());
                    assertThat(header(r, "courier_dlt_original_offset"))
                            .isEqualTo(Long.toString(failed.offsets().get(0).offset()));
                    assertThat(header(r, "courier_dlt_exception_message")).isEqualTo("cannot project a deposit of 13");
                });
            }
        }
    }
}
