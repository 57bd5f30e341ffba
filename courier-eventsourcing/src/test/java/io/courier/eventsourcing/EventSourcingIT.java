package io.courier.eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.EnvelopeFormat;
import io.courier.core.OutboundMessage;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Reply;
import io.courier.requestreply.Requester;
import io.courier.requestreply.RequesterOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Timeout;

/** The write side and the read side against a real broker, one aggregate type per test. */
@EmbeddedKafka
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class EventSourcingIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static int counter;

    private final EmbeddedKafkaCluster cluster;
    private Courier courier;
    private Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> accounts;
    private CommandProcessor<Accounts.Account> processor;
    private Requester requester;
    private CommandGateway<Accounts.Command> gateway;

    EventSourcingIT(EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void start() {
        courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("bank").build());
        accounts = Accounts.aggregate("account" + (++counter));
        processor = CommandProcessor.start(courier, accounts, ProcessorOptions.builder(accounts.name() + "-processor")
                .build()).awaitRunning(Duration.ofMinutes(1));
        requester = Requester.start(courier, RequesterOptions.builder(accounts.name() + ".replies").replyPartitions(2).build());
        gateway = CommandGateway.of(requester, accounts);
    }

    @AfterEach
    void stop() {
        requester.close();
        processor.close();
        courier.close();
    }

    private CommandResult send(String id, Accounts.Command command) throws Exception {
        return send(gateway, id, command);
    }

    private static CommandResult send(CommandGateway<Accounts.Command> to, String id, Accounts.Command command)
            throws Exception {
        Reply<CommandResult> reply = to.send(id, command, WAIT).get();
        assertThat(reply).as("reply to %s", command).isInstanceOf(Reply.Success.class);
        return ((Reply.Success<CommandResult>) reply).value();
    }

    private List<EventRecord> events() {
        return EventRecord.readAll(cluster.bootstrapServers(), accounts.eventsTopic());
    }

    /** The read model of the projection tests: the balance and how many deposits and withdrawals made it. */
    record Balance(long cents, int changes) {}

    private static Balance project(Balance current, String id, Accounts.Event e) {
        Balance b = current == null ? new Balance(0, 0) : current;
        if (e instanceof Accounts.Deposited d) {
            return new Balance(b.cents() + d.cents(), b.changes() + 1);
        }
        if (e instanceof Accounts.Withdrawn w) {
            return new Balance(b.cents() - w.cents(), b.changes() + 1);
        }
        return b;
    }

    /**
     * Appends an account's events as an older release wrote them, with a plain producer: schema 1 of Deposited
     * (whole euros in "amount", 7 of them), no schema header.
     */
    private void appendLegacyAccount(String id) throws Exception {
        try (KafkaProducer<String, String> old = new KafkaProducer<>(Map.of("bootstrap.servers",
                cluster.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> opened = new ProducerRecord<>(accounts.eventsTopic(), id,
                    "{\"owner\":\"old\"}");
            opened.headers().add("ce_type", "Opened".getBytes(StandardCharsets.UTF_8));
            opened.headers().add(EventHeaders.AGGREGATE_VERSION, "1".getBytes(StandardCharsets.UTF_8));
            ProducerRecord<String, String> deposited = new ProducerRecord<>(accounts.eventsTopic(), id,
                    "{\"amount\":7}");
            deposited.headers().add("ce_type", "Deposited".getBytes(StandardCharsets.UTF_8));
            deposited.headers().add(EventHeaders.AGGREGATE_VERSION, "2".getBytes(StandardCharsets.UTF_8));
            old.send(opened).get();
            old.send(deposited).get();
        }
    }

    /**
     * Appends a byte-for-byte copy (key, value, headers) of the committed event at {@code at} to its partition, as
     * an at-least-once redelivery would hand it to a reader again.
     *
     * @return where the copy is
     */
    private EventOffset appendCopyOf(EventOffset at) throws Exception {
        TopicPartition partition = new TopicPartition(at.topic(), at.partition());
        ConsumerRecord<byte[], byte[]> original = null;
        try (KafkaConsumer<byte[], byte[]> plain = new KafkaConsumer<>(Map.of("bootstrap.servers",
                cluster.bootstrapServers(), "isolation.level", "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            plain.assign(List.of(partition));
            plain.seek(partition, at.offset());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (original == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : plain.poll(Duration.ofMillis(200))) {
                    if (r.offset() == at.offset()) {
                        original = r;
                    }
                }
            }
        }
        assertThat(original).as("the event at %s", at).isNotNull();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                cluster.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            RecordMetadata copy = producer.send(new ProducerRecord<>(at.topic(), at.partition(), original.key(),
                    original.value(), original.headers())).get();
            return new EventOffset(copy.topic(), copy.partition(), copy.offset());
        }
    }

    /** @return the message id of the command to aggregate {@code id}, as a plain consumer finds it on the topic */
    private String messageIdOfCommand(String id) {
        try (KafkaConsumer<byte[], byte[]> plain = new KafkaConsumer<>(Map.of("bootstrap.servers",
                cluster.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = plain.partitionsFor(accounts.commandsTopic(), WAIT).stream()
                    .map(i -> new TopicPartition(accounts.commandsTopic(), i.partition())).toList();
            plain.assign(all);
            plain.seekToBeginning(all);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : plain.poll(Duration.ofMillis(200))) {
                    if (id.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        return EventRecord.envelope(r, "ce_id", 5);
                    }
                }
            }
        }
        throw new AssertionError("no command to '" + id + "' on topic " + accounts.commandsTopic());
    }

    /** @return the consumer groups of projection {@code name} that the broker knows */
    private Set<String> consumerGroupsOf(String name) throws Exception {
        return courier.admin().listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId)
                .filter(group -> group.startsWith(name + "-projection-")).collect(Collectors.toSet());
    }

    @Test
    void acceptedCommandsAppendTheirEventsAndRejectedOnesSayWhyAndAppendNothing() throws Exception {
        CommandResult opened = send("a-1", new Accounts.Open("ada"));
        CommandResult deposited = send("a-1", new Accounts.Deposit(10_000));
        assertThat(opened).usingRecursiveComparison().ignoringFields("offsets")
                .isEqualTo(CommandResult.acceptance("a-1", 1, 1));
        assertThat(deposited).usingRecursiveComparison().ignoringFields("offsets")
                .isEqualTo(CommandResult.acceptance("a-1", 2, 1));
        assertThat(send("a-1", new Accounts.Withdraw(50_000))).isEqualTo(CommandResult.rejection("a-1", 2,
                "insufficient funds: balance 10000, withdrawal 50000"));
        CommandResult withdrawn = send("a-1", new Accounts.Withdraw(3_000));
        assertThat(withdrawn.version()).isEqualTo(3);
        assertThat(send("nobody", new Accounts.Deposit(5))).isEqualTo(CommandResult.rejection("nobody", 0,
                "unknown account: open it first"));

        // An invalid payload: the bytes are not a Deposit.
        Endpoint<String, byte[], CommandResult> raw = Endpoint.of(Topic.of(accounts.commandsTopic(), Serdes.string(),
                Serdes.bytes()), Serdes.json(CommandResult.class));
        Reply<CommandResult> invalid = requester.request(raw, OutboundMessage.of("a-1",
                "{not json".getBytes(StandardCharsets.UTF_8)), WAIT).get();
        assertThat(((Reply.Success<CommandResult>) invalid).value().reason())
                .startsWith("invalid payload for aggregate type '" + accounts.name() + "'");

        List<EventRecord> events = events();
        assertThat(events).extracting(EventRecord::type, EventRecord::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Opened", 1L),
                        org.assertj.core.groups.Tuple.tuple("Deposited", 2L),
                        org.assertj.core.groups.Tuple.tuple("Withdrawn", 3L));
        // Each acceptance names where its event really is, as a plain consumer finds it.
        assertThat(List.of(opened, deposited, withdrawn)).extracting(CommandResult::offsets)
                .containsExactly(List.of(events.get(0).offset()), List.of(events.get(1).offset()),
                        List.of(events.get(2).offset()));
        assertThat(processor.state("a-1")).contains(new Versioned<>(new Accounts.Account("ada", 7_000), 3));
    }

    @Test
    void eventsCarryTheCommandsCorrelationIdAndTraceContextAndTheirTopicKeepsThemForever() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Endpoint<String, Accounts.Command, CommandResult> commands = Endpoint.of(Topic.of(accounts.commandsTopic(),
                Serdes.string(), accounts.commands()), Serdes.json(CommandResult.class));
        // A command is a request: its correlation id is the one its requester gives it, to match the answer.
        Reply<CommandResult> reply = requester.request(commands, OutboundMessage.<String, Accounts.Command>of("t-1",
                new Accounts.Open("traced")).withTraceparent(traceparent), WAIT).get();
        assertThat(reply).isInstanceOf(Reply.Success.class);
        String commandId = messageIdOfCommand("t-1");
        assertThat(commandId).as("the command's own id, not its correlation id").isNotNull()
                .isNotEqualTo(reply.correlationId());

        assertThat(events()).filteredOn(e -> e.aggregateId().equals("t-1")).singleElement().satisfies(e -> {
            assertThat(e.causationId()).isEqualTo(commandId);
            assertThat(e.correlationId()).isEqualTo(reply.correlationId());
            assertThat(e.traceparent()).isEqualTo(traceparent);
        });
        ConfigResource eventsTopic = new ConfigResource(ConfigResource.Type.TOPIC, accounts.eventsTopic());
        Config config = courier.admin().describeConfigs(List.of(eventsTopic)).all().get(30, TimeUnit.SECONDS)
                .get(eventsTopic);
        assertThat(config.get("retention.ms").value()).isEqualTo("-1");
        assertThat(config.get("retention.bytes").value()).isEqualTo("-1");
    }

    @Test
    void aProjectionRefusesAResetOnceClosed() throws Exception {
        Projection<Balance> balances = Projection.start(courier, accounts, accounts.name() + "-closed",
                EventSourcingIT::project, ReadModelStore.inMemory());
        balances.close();

        assertThat(org.assertj.core.api.Assertions.catchThrowable(balances::reset))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aMalformedExpectedVersionIsRejectedNamingItAndTheProcessorCarriesOn() throws Exception {
        send("a-2", new Accounts.Open("bob"));
        Endpoint<String, Accounts.Command, CommandResult> commands = Endpoint.of(Topic.of(accounts.commandsTopic(),
                Serdes.string(), Serdes.json(Accounts.Command.class)), Serdes.json(CommandResult.class));
        Reply<CommandResult> reply = requester.request(commands, OutboundMessage.<String, Accounts.Command>of("a-2",
                new Accounts.Deposit(5)).withHeader(EventHeaders.EXPECTED_VERSION, "v7"), WAIT).get();

        assertThat(((Reply.Success<CommandResult>) reply).value()).isEqualTo(CommandResult.rejection("a-2", 1,
                "the command has header " + EventHeaders.EXPECTED_VERSION + "='v7'; expected a non-negative version "
                        + "number"));
        assertThat(send("a-2", new Accounts.Deposit(5)).version()).as("the processor is still up").isEqualTo(2);
    }

    @Test
    void aResetDuringCatchUpDropsWhatTheOldReaderWasStillApplyingAndEndsWithTheWholeFold() throws Exception {
        List<EventOffset> lastEvents = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                cluster.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int a = 0; a < 5; a++) {
                String id = "r-" + a;
                RecordMetadata last = producer.send(event(id, "Opened", 1, "{\"owner\":\"r\"}")).get();
                for (int v = 2; v <= 101; v++) {
                    last = producer.send(event(id, "Deposited", v, "{\"cents\":10,\"currency\":\"EUR\"}")).get();
                }
                lastEvents.add(new EventOffset(last.topic(), last.partition(), last.offset()));
            }
        }
        // A slow read model: the reset comes while the first reader is still catching up. The threads that read
        // before the reset must not apply anything once reset() has returned.
        Set<String> oldReaders = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean resetReturned = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger staleApplies = new java.util.concurrent.atomic.AtomicInteger();
        try (Projection<Balance> balances = Projection.start(courier, accounts, "slow" + counter,
                (Balance b, String id, Accounts.Event e) -> {
                    String thread = Thread.currentThread().getName();
                    if (resetReturned.get() && oldReaders.contains(thread)) {
                        staleApplies.incrementAndGet();
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return project(b, id, e);
                })) {
            await().atMost(WAIT).until(() -> balances.all().values().stream().mapToInt(Balance::changes).sum() >= 20);
            oldReaders.addAll(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.contains("slow" + counter)).toList());
            balances.reset();
            resetReturned.set(true);

            balances.awaitOffsets(lastEvents, Duration.ofMinutes(1));
            assertThat(staleApplies).as("events applied by the reader of before the reset").hasValue(0);
            assertThat(balances.all()).hasSize(5).allSatisfy((id, b) -> assertThat(b).as(id)
                    .isEqualTo(new Balance(1_000, 100)));
        }
    }

    private ProducerRecord<String, String> event(String id, String type, long version, String json) {
        ProducerRecord<String, String> r = new ProducerRecord<>(accounts.eventsTopic(), id, json);
        r.headers().add("ce_type", type.getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.AGGREGATE_VERSION, Long.toString(version).getBytes(StandardCharsets.UTF_8));
        // Deposited is at schema 2 (an upcaster reads schema 1); the others never changed. A newer schema than the
        // reader knows fails the event, which would stop the projection's aggregate there.
        r.headers().add(EventHeaders.SCHEMA_VERSION, (type.equals("Deposited") ? "2" : "1")
                .getBytes(StandardCharsets.UTF_8));
        return r;
    }

    @Test
    void aProcessorDeletesTheTemporaryStateDirectoryItCreatedWhenItCloses() throws Exception {
        String applicationId = accounts.name() + "-second";
        Set<java.nio.file.Path> before = streamsDirectoriesOf(applicationId);
        CommandProcessor<Accounts.Account> second = CommandProcessor.start(courier, accounts,
                ProcessorOptions.builder(applicationId).build()).awaitRunning(Duration.ofMinutes(1));
        Set<java.nio.file.Path> created = new java.util.HashSet<>(streamsDirectoriesOf(applicationId));
        created.removeAll(before);
        assertThat(created).as("its temporary state directory while it runs").hasSize(1);
        second.close();
        assertThat(created.iterator().next()).doesNotExist();
    }

    @Test
    void aClosedProcessorLeavesItsConsumerGroupInsteadOfHoldingItsPartitionsForItsSession() throws Exception {
        String group = accounts.name() + "-processor";
        assertThat(courier.admin().describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group)
                .members()).as("the running processor").isNotEmpty();

        processor.close(); // again in stop(): closing is idempotent

        // A member that does not leave stays until its session expires, 45 s by default, its partitions unowned.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(courier.admin()
                .describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members())
                .isEmpty());
    }

    @Test
    void aProcessorRefusesAnEventsTopicWhoseReplicationFactorIsNotTheOneItsOptionsDeclare() throws Exception {
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> precreated = withEventsTopic("-precreated", 3);

        CourierException refused = org.junit.jupiter.api.Assertions.assertThrows(CourierException.class,
                () -> CommandProcessor.start(courier, precreated, ProcessorOptions.builder(precreated.name()
                        + "-processor").replicationFactor(2).build()));

        assertThat(refused).hasMessageContaining("ProcessorOptions.replicationFactor=2")
                .hasMessageContaining("topic '" + precreated.eventsTopic() + "' has replication factor 1, declared 2");
        try (CommandProcessor<Accounts.Account> matching = CommandProcessor.start(courier, precreated,
                ProcessorOptions.builder(precreated.name() + "-processor").replicationFactor(1).build())
                .awaitRunning(Duration.ofMinutes(1))) {
            assertThat(send(CommandGateway.of(requester, precreated), "rf-1", new Accounts.Open("replicated"))
                    .accepted()).isTrue();
            assertThat(matching.state("rf-1").orElseThrow().version()).isEqualTo(1);
        }
    }

    @Test
    void aStreamThreadThatFailsStopsTheProcessorAndAwaitRunningSaysWhyAtOnce() throws Exception {
        OutOfMemoryError error = new OutOfMemoryError("simulated: Java heap space");
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> failing = Aggregate.builder(accounts.name()
                + "-failing", Accounts.Account.class, Accounts.Command.class, Accounts.Event.class)
                .decide((state, command) -> {
                    throw error; // the JVM's own error: not a rejection, it stops the stream thread
                }).evolve(Accounts::evolve).partitions(3).build();
        try (CommandProcessor<Accounts.Account> processor = CommandProcessor.start(courier, failing,
                ProcessorOptions.builder(failing.name() + "-processor").build()).awaitRunning(Duration.ofMinutes(1))) {
            CompletableFuture<Reply<CommandResult>> reply = CommandGateway.of(requester, failing).send("f-1",
                    new Accounts.Open("nobody"), Duration.ofSeconds(5));

            CourierException stopped = await("the processor stopped").atMost(Duration.ofMinutes(1)).until(() -> {
                try {
                    processor.awaitRunning(Duration.ofMillis(100));
                    return null;
                } catch (io.courier.common.CourierRetriableException stillStarting) {
                    return null;
                } catch (CourierException e) {
                    return e;
                }
            }, java.util.Objects::nonNull);

            assertThat(stopped).hasMessageStartingWith("command processor of aggregate '" + failing.name() + "' is ")
                    .hasMessageEndingWith(" and will not run: a stream thread failed: " + error);
            assertThat(stopped.getCause()).isSameAs(error);
            assertThat(reply.get()).as("no answer: the command is not processed until a new processor starts")
                    .isInstanceOf(Reply.Timeout.class);
            CourierException again = org.junit.jupiter.api.Assertions.assertThrows(CourierException.class,
                    () -> processor.awaitRunning(Duration.ofMillis(1))); // a wait would end in a retriable one
            assertThat(again).as("not restarted: still stopped, said at once").isNotInstanceOf(
                    io.courier.common.CourierRetriableException.class).hasMessageEndingWith(" and will not run: a "
                            + "stream thread failed: " + error);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aProcessorRefusesAnEventsOrCommandsTopicWhosePartitionCountIsNotTheAggregatesPartitions(boolean events)
            throws Exception {
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> precreated = events
                ? withEventsTopic("-repartitioned", 2) : Accounts.aggregate(accounts.name() + "-commands-repartitioned");
        String topic = events ? precreated.eventsTopic() : precreated.commandsTopic();
        if (!events) {
            courier.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 2, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }

        CourierException refused = org.junit.jupiter.api.Assertions.assertThrows(CourierException.class,
                () -> CommandProcessor.start(courier, precreated, ProcessorOptions.builder(precreated.name()
                        + "-processor").build()));

        assertThat(precreated.partitions()).isEqualTo(3);
        assertThat(refused).hasMessageContaining("Aggregate.partitions=3")
                .hasMessageContaining("topic '" + topic + "' has 2 partitions, declared 3");
    }

    /**
     * @return an aggregate named after this test's, whose events topic exists already, created by hand with
     *     {@code partitions} partitions and one replica, as an operator might
     */
    private Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> withEventsTopic(String suffix, int partitions)
            throws Exception {
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> aggregate = Accounts.aggregate(accounts.name()
                + suffix);
        courier.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(aggregate.eventsTopic(),
                partitions, (short) 1).configs(Map.of("retention.ms", "-1", "retention.bytes", "-1")))).all()
                .get(30, TimeUnit.SECONDS);
        return aggregate;
    }

    /** @return the temporary state directories named after {@code applicationId} */
    private static Set<java.nio.file.Path> streamsDirectoriesOf(String applicationId) throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> dirs = java.nio.file.Files.list(
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("courier-streams-" + applicationId + "-"))
                    .collect(Collectors.toSet());
        }
    }

    /** A state machine: the state type is a sealed interface, whose stored JSON alone does not say which record. */
    sealed interface Door permits Shut, Ajar {}

    record Shut(int times) implements Door {}

    record Ajar(int times) implements Door {}

    sealed interface DoorCommand permits Push, Pull {}

    record Push() implements DoorCommand {}

    record Pull() implements DoorCommand {}

    sealed interface DoorEvent permits Opened, Closed {}

    record Opened() implements DoorEvent {}

    record Closed() implements DoorEvent {}

    @Test
    void anAggregateWhoseStateIsASealedHierarchyHandlesEveryCommandOfAnAggregate() throws Exception {
        Aggregate<Door, DoorCommand, DoorEvent> doors = Aggregate.builder("door" + (++counter), Door.class,
                        DoorCommand.class, DoorEvent.class)
                .decide((door, command) -> command instanceof Push
                        ? (door instanceof Ajar ? Decision.reject("already open") : Decision.accept(new Opened()))
                        : (door instanceof Ajar ? Decision.accept(new Closed()) : Decision.reject("already shut")))
                .evolve((door, event) -> {
                    int times = door == null ? 0 : door instanceof Shut s ? s.times() : ((Ajar) door).times();
                    return event instanceof Opened ? new Ajar(times + 1) : new Shut(times);
                })
                .partitions(1).build();
        try (CommandProcessor<Door> doorProcessor = CommandProcessor.start(courier, doors,
                ProcessorOptions.builder(doors.name() + "-processor").build()).awaitRunning(Duration.ofMinutes(1))) {
            CommandGateway<DoorCommand> door = CommandGateway.of(requester, doors);
            for (DoorCommand command : List.of(new Push(), new Pull(), new Push(), new Push())) {
                assertThat(door.send("front", command, WAIT).get()).as("reply to %s", command)
                        .isInstanceOf(Reply.Success.class);
            }
            Reply<CommandResult> last = door.send("front", new Pull(), WAIT).get();
            assertThat(((Reply.Success<CommandResult>) last).value().version()).isEqualTo(4);
            assertThat(doorProcessor.state("front")).contains(new Versioned<>(new Shut(2), 4));
        }
    }

    @Test
    void concurrentCommandsWithAnExpectedVersionNeverGetTwoAcceptancesForOneVersion() throws Exception {
        send("shared", new Accounts.Open("many"));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Long> acceptedVersions = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            done.add(CompletableFuture.runAsync(() -> {
                long seen = 1;
                int accepted = 0;
                while (accepted < 5) {
                    Reply<CommandResult> r = gateway.send("shared", new Accounts.Deposit(1), seen, WAIT).join();
                    CommandResult result = ((Reply.Success<CommandResult>) r).value();
                    if (result.accepted()) {
                        acceptedVersions.add(result.version());
                        accepted++;
                    } else {
                        assertThat(result.reason()).startsWith("expected version " + seen + " but aggregate 'shared' is at");
                    }
                    seen = result.version(); // the rejection tells the current version
                }
            }, clients));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
        clients.shutdown();

        assertThat(acceptedVersions).hasSize(40).doesNotHaveDuplicates();
        assertThat(acceptedVersions).containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(2, 41)
                .boxed().toList());
        assertThat(processor.state("shared").orElseThrow().state().balance()).isEqualTo(40);
    }

    @ParameterizedTest
    @EnumSource(value = EnvelopeFormat.class, names = {"CLOUD_EVENTS", "BINARY"})
    void aProcessorOfAServiceWithAnotherEnvelopeFormatWritesItAndReplayReadsIt(EnvelopeFormat format) throws Exception {
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> ce = Accounts.aggregate("account" + (++counter));
        try (Courier cloudEvents = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName("ce-bank")
                        .envelopeFormat(format).build());
                CommandProcessor<Accounts.Account> ceProcessor = CommandProcessor.start(cloudEvents, ce,
                        ProcessorOptions.builder(ce.name() + "-processor").build()).awaitRunning(Duration.ofMinutes(1));
                Requester ceRequester = Requester.start(cloudEvents, RequesterOptions.builder(ce.name() + ".replies")
                        .replyPartitions(1).build())) {
            CommandGateway<Accounts.Command> ceGateway = CommandGateway.of(ceRequester, ce);
            assertThat(ceGateway.send("c-1", new Accounts.Open("cy"), WAIT).get()).isInstanceOf(Reply.Success.class);
            Reply<CommandResult> deposit = ceGateway.send("c-1", new Accounts.Deposit(40), WAIT).get();
            assertThat(((Reply.Success<CommandResult>) deposit).value().version()).isEqualTo(2);

            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> plain = new KafkaConsumer<>(Map.of("bootstrap.servers",
                    cluster.bootstrapServers(), "isolation.level", "read_committed"), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> all = plain.partitionsFor(ce.eventsTopic(), WAIT).stream()
                        .map(i -> new TopicPartition(ce.eventsTopic(), i.partition())).toList();
                plain.assign(all);
                plain.seekToBeginning(all);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (records.size() < 2 && System.nanoTime() < deadline) {
                    plain.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
            assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.headers().lastHeader("courier-envelope")).isNull());
            if (format == EnvelopeFormat.CLOUD_EVENTS) {
                assertThat(records).extracting(r -> new String(r.headers().lastHeader("ce_type").value(),
                        StandardCharsets.UTF_8)).containsExactly("Opened", "Deposited");
            } else {
                assertThat(records).allSatisfy(r -> assertThat(r.headers().lastHeader("courier")).isNotNull());
            }
            assertThat(Replay.rebuild(courier, ce).states().get("c-1")).as("replayed from %s headers", format)
                    .isEqualTo(new Versioned<>(new Accounts.Account("cy", 40), 2))
                    .isEqualTo(ceProcessor.state("c-1").orElseThrow());
        }
    }

    @Test
    void rebuildingFromTheEventTopicAloneGivesTheLiveStateAndUpcastsOldEvents() throws Exception {
        for (int i = 0; i < 20; i++) {
            send("r-" + i, new Accounts.Open("owner-" + i));
            send("r-" + i, new Accounts.Deposit(100 * (i + 1)));
            send("r-" + i, new Accounts.Withdraw(i));
        }
        // A v1 event, as an older release wrote it: whole euros in "amount", no schema header.
        appendLegacyAccount("legacy");

        Replay.Result<Accounts.Account> rebuilt = Replay.rebuild(courier, accounts);

        assertThat(rebuilt.duplicateEvents()).isZero();
        assertThat(rebuilt.events()).isEqualTo(62);
        assertThat(rebuilt.eventsPerSecond()).isPositive();
        Map<String, Versioned<Accounts.Account>> live = processor.states();
        assertThat(live).hasSize(20);
        live.forEach((id, state) -> assertThat(rebuilt.states().get(id)).as(id).isEqualTo(state));
        assertThat(rebuilt.states().get("legacy")).isEqualTo(new Versioned<>(new Accounts.Account("old", 700), 2));
    }

    @Test
    void aProjectionAnswersReadYourWritesQueriesAndRebuildsAfterAReset() throws Exception {
        ReadModelStore<Balance> store = ReadModelStore.inMemory(); // where the read models live: pluggable
        try (Projection<Balance> balances = Projection.start(courier, accounts, accounts.name() + "-balances",
                EventSourcingIT::project, store)) {
            send("p-1", new Accounts.Open("reader"));
            for (int i = 1; i <= 10; i++) {
                CommandResult written = send("p-1", new Accounts.Deposit(i));
                // read-your-writes: the query waits for the version the command returned
                assertThat(balances.get("p-1", written.version(), WAIT)).contains(new Balance(i * (i + 1) / 2, i));
            }
            CommandResult last = send("p-1", new Accounts.Withdraw(5));
            assertThat(balances.get("p-1", last.version(), WAIT)).contains(new Balance(50, 11));
            assertThat(store.all()).containsEntry("p-1", new Balance(50, 11));

            // read-your-writes by offsets, across aggregates: two commands, three events, one wait
            CommandResult two = send("p-2", new Accounts.OpenWithDeposit("two", 500));
            CommandResult three = send("p-3", new Accounts.OpenWithDeposit("three", 700));
            assertThat(two.offsets()).hasSize(2);
            assertThat(two.offsets().get(1).offset()).isGreaterThan(two.offsets().get(0).offset());
            List<EventOffset> written = new ArrayList<>(two.offsets());
            written.addAll(three.offsets());
            balances.awaitOffsets(written, WAIT);
            assertThat(balances.get("p-2")).contains(new Balance(500, 1));
            assertThat(balances.get("p-3")).contains(new Balance(700, 1));
            assertThat(balances.positions().get(three.offsets().get(1).partition()))
                    .isGreaterThanOrEqualTo(three.offsets().get(1).offset());

            balances.reset();
            assertThat(balances.get("p-3", three.offsets(), WAIT)).contains(new Balance(700, 1));
            await().atMost(WAIT).until(() -> balances.version("p-1") == last.version());
            assertThat(balances.get("p-1")).contains(new Balance(50, 11));
            EventOffset beyond = new EventOffset(accounts.eventsTopic(), 0, 1_000_000);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> balances.awaitOffsets(List.of(beyond),
                    Duration.ofMillis(200)))).hasMessageContaining("has read partition " + accounts.eventsTopic()
                    + "-0 up to offset").hasMessageContaining("not yet 1000000")
                    .hasMessageEndingWith("after waiting 200ms");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> balances.awaitOffsets(List.of(
                    new EventOffset("elsewhere", 0, 1)), WAIT))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot wait for offset elsewhere-0@1");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> balances.get("p-1", 99, Duration.ofMillis(200))))
                    .hasMessageContaining("aggregate 'p-1' at version 12, not yet 99, after waiting 200ms");
        }
    }

    @Test
    void aCommandWhoseCallerTimedOutBeforeTheProcessorReachedItIsRejectedNotApplied() throws Exception {
        send("late-1", new Accounts.Open("patient"));
        processor.close(); // the processor is down: commands wait in the topic
        Reply<CommandResult> gaveUp = gateway.send("late-1", new Accounts.Deposit(42), Duration.ofMillis(500)).get();
        assertThat(gaveUp).isInstanceOf(Reply.Timeout.class);

        processor = CommandProcessor.start(courier, accounts, ProcessorOptions.builder(accounts.name() + "-processor")
                .build()).awaitRunning(Duration.ofMinutes(1));
        // the next command is processed after the stale one, so once it is answered the stale one was decided
        assertThat(send("late-1", new Accounts.Deposit(1)).version()).isEqualTo(2);
        assertThat(events()).extracting(EventRecord::type).containsExactly("Opened", "Deposited");
        assertThat(processor.state("late-1").orElseThrow().state().balance()).isEqualTo(1);
    }

    @Test
    void aDecideOrEvolveThatThrowsIsARejectionNamingTheErrorAndWritesNothing() throws Exception {
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> fragile = Aggregate.builder("account"
                        + (++counter), Accounts.Account.class, Accounts.Command.class, Accounts.Event.class)
                .decide((state, command) -> {
                    if (command instanceof Accounts.Withdraw w && w.cents() == 7) {
                        throw new StackOverflowError("a rule that recursed too deep");
                    }
                    if (command instanceof Accounts.Withdraw) {
                        throw new IllegalStateException("withdrawals are suspended");
                    }
                    return Accounts.decide(state, command);
                })
                // a deposit that would overflow the balance throws instead of wrapping around
                .evolve((state, event) -> event instanceof Accounts.Deposited d
                        ? new Accounts.Account(state.owner(), Math.addExact(state.balance(), d.cents()))
                        : Accounts.evolve(state, event))
                .build();
        try (CommandProcessor<Accounts.Account> fragileProcessor = CommandProcessor.start(courier, fragile,
                ProcessorOptions.builder(fragile.name() + "-processor").build()).awaitRunning(Duration.ofMinutes(1))) {
            CommandGateway<Accounts.Command> to = CommandGateway.of(requester, fragile);
            send(to, "f-1", new Accounts.Open("frank"));
            send(to, "f-1", new Accounts.Deposit(100));

            assertThat(send(to, "f-1", new Accounts.Withdraw(30))).isEqualTo(CommandResult.rejection("f-1", 2,
                    "aggregate '" + fragile.name() + "' failed on Withdraw: "
                            + "java.lang.IllegalStateException: withdrawals are suspended"));
            assertThat(send(to, "f-1", new Accounts.Withdraw(7))).isEqualTo(CommandResult.rejection("f-1", 2,
                    "aggregate '" + fragile.name() + "' failed on Withdraw: "
                            + "java.lang.StackOverflowError: a rule that recursed too deep"));
            assertThat(send(to, "f-1", new Accounts.Deposit(Long.MAX_VALUE))).isEqualTo(CommandResult.rejection("f-1",
                    2, "aggregate '" + fragile.name() + "' failed on Deposit: "
                            + "java.lang.ArithmeticException: long overflow"));

            // the processor did not crash, and the failed commands left no trace: not on the topic, not in the state
            assertThat(send(to, "f-1", new Accounts.Deposit(1)).version()).isEqualTo(3);
            assertThat(EventRecord.readAll(cluster.bootstrapServers(), fragile.eventsTopic()))
                    .extracting(EventRecord::type, EventRecord::version)
                    .containsExactly(tuple("Opened", 1L), tuple("Deposited", 2L), tuple("Deposited", 3L));
            assertThat(fragileProcessor.state("f-1")).contains(new Versioned<>(new Accounts.Account("frank", 101), 3));
        }
    }

    @Test
    void eachEventIsWrittenWithTheSchemaVersionOfItsType() throws Exception {
        send("s-1", new Accounts.OpenWithDeposit("schema", 100));
        // Deposited has one upcaster (1 to 2), so it is written as schema 2; Opened has none, so schema 1
        assertThat(events()).extracting(EventRecord::type, EventRecord::schemaVersion)
                .containsExactly(tuple("Opened", "1"), tuple("Deposited", "2"));
    }

    @Test
    void aProjectionUpcastsOldEvents() throws Exception {
        appendLegacyAccount("legacy"); // schema 1 of Deposited: 7 whole euros, no schema header
        try (Projection<Balance> balances = Projection.start(courier, accounts, accounts.name() + "-balances",
                EventSourcingIT::project)) {
            assertThat(balances.get("legacy", 2, WAIT)).contains(new Balance(700, 1));
        }
    }

    @Test
    void aProjectionSkipsARedeliveredEvent() throws Exception {
        send("d-1", new Accounts.Open("twice"));
        CommandResult deposited = send("d-1", new Accounts.Deposit(500));
        try (Projection<Balance> balances = Projection.start(courier, accounts, accounts.name() + "-balances",
                EventSourcingIT::project)) {
            assertThat(balances.get("d-1", deposited.offsets(), WAIT)).contains(new Balance(500, 1));

            EventOffset again = appendCopyOf(deposited.offsets().get(0));
            balances.awaitOffsets(List.of(again), WAIT); // read past the copy...

            assertThat(balances.get("d-1")).contains(new Balance(500, 1)); // ...and skipped it
            assertThat(balances.version("d-1")).isEqualTo(2);
        }
    }

    @Test
    void aProjectionClearsItsStoreWhenItStarts() throws Exception {
        CommandResult opened = send("c-1", new Accounts.OpenWithDeposit("fresh", 300));
        ReadModelStore<Balance> store = ReadModelStore.inMemory();
        store.put("c-1", new Balance(999_999, 42)); // left over from an earlier run
        store.put("ghost", new Balance(1, 1)); // an aggregate the events topic does not know
        try (Projection<Balance> balances = Projection.start(courier, accounts, accounts.name() + "-balances",
                EventSourcingIT::project, store)) {
            balances.awaitOffsets(opened.offsets(), WAIT);
            assertThat(store.all()).isEqualTo(Map.of("c-1", new Balance(300, 1)));
        }
    }

    @Test
    void aProjectionDeletesItsConsumerGroupWhenItResetsAndWhenItCloses() throws Exception {
        CommandResult opened = send("g-1", new Accounts.Open("grouped"));
        String name = accounts.name() + "-balances";
        try (Projection<Balance> balances = Projection.start(courier, accounts, name, EventSourcingIT::project)) {
            balances.awaitOffsets(opened.offsets(), WAIT);
            Set<String> first = await().atMost(WAIT).until(() -> consumerGroupsOf(name), groups -> groups.size() == 1);

            balances.reset();
            balances.awaitOffsets(opened.offsets(), WAIT); // read again, under the new group
            await().atMost(WAIT).untilAsserted(() -> assertThat(consumerGroupsOf(name)).hasSize(1)
                    .doesNotContainAnyElementsOf(first));
        }
        await().atMost(WAIT).until(() -> consumerGroupsOf(name), Set::isEmpty);
    }
}
