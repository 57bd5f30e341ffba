package io.courier.requestreply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.ChildJvm;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many callers, several instances, and faults: every caller gets its own reply or a timeout, never another's.
 */
@EmbeddedKafka
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RequestReplyFaultIT {
    private static final Logger LOG = LoggerFactory.getLogger(RequestReplyFaultIT.class);

    private final EmbeddedKafkaCluster cluster;

    RequestReplyFaultIT(EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    private Courier connect(String service) {
        return Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).serviceName(service).build());
    }

    private static Endpoint<String, String, String> endpoint(Courier courier, String name, int partitions) {
        Topic<String, String> requests = Topic.builder(name, Serdes.string(), Serdes.string()).partitions(partitions).build();
        courier.provision(requests);
        return Endpoint.of(requests, Serdes.string());
    }

    private static RequestHandler<String, String, String> echo(String name) {
        return RequestHandler.sync(m -> "echo:" + m.value() + ":" + name);
    }

    /** Echoes once the gate opens: requests pile up in flight until the test says so. */
    private static RequestHandler<String, String, String> gated(CountDownLatch gate) {
        return m -> {
            gate.await();
            return CompletableFuture.completedFuture("echo:" + m.value() + ":gated");
        };
    }

    /** The request payload each reply in the topic answers, one entry per reply record. */
    private List<String> replyPayloads(String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                cluster.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<String> payloads = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> payloads.add(r.value().split(":")[1]));
            }
            return payloads;
        }
    }

    /** Each caller's reply must echo its own payload; which responder answered does not matter. */
    private static void assertOwnReply(String payload, Reply<String> reply) {
        assertThat(reply).as("reply to %s", payload).isInstanceOfSatisfying(Reply.Success.class,
                s -> assertThat((String) s.value()).startsWith("echo:" + payload + ":"));
    }

    @Test
    void threeRequestersAndTwoRespondersWithTenThousandInFlightGiveEveryCallerItsOwnReply() throws Exception {
        try (Courier courier = connect("load")) {
            Endpoint<String, String, String> endpoint = endpoint(courier, "load-requests", 6);
            RequesterOptions options = RequesterOptions.builder("load.replies").replyPartitions(6).build();
            List<Requester> requesters = new ArrayList<>();
            List<Responder> responders = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    requesters.add(Requester.start(courier, options));
                }
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        requesters.stream().allMatch(r -> r.replyPartitions().size() == 2));
                for (int i = 0; i < 2; i++) {
                    responders.add(Responder.start(courier, endpoint,
                            ResponderOptions.builder("load-responders").concurrency(2).build(), echo("r" + i)));
                }
                // the last to join has partitions only once the group has rebalanced among all of them
                responders.get(1).awaitAssignment(Duration.ofSeconds(60));
                responders.get(0).awaitAssignment(Duration.ofSeconds(60));
                List<List<CompletableFuture<Reply<String>>>> futures = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    List<CompletableFuture<Reply<String>>> mine = new ArrayList<>();
                    for (int i = 0; i < 3_334; i++) {
                        mine.add(requesters.get(r).request(endpoint, "k" + i, "req-" + r + "-" + i,
                                Duration.ofMinutes(2)));
                    }
                    futures.add(mine);
                }
                for (int r = 0; r < 3; r++) {
                    for (int i = 0; i < 3_334; i++) {
                        assertOwnReply("req-" + r + "-" + i, futures.get(r).get(i).get(2, TimeUnit.MINUTES));
                    }
                    RequesterStats stats = requesters.get(r).stats();
                    LOG.info("requester {}: partitions {}, {}", r, requesters.get(r).replyPartitions(), stats);
                    assertThat(stats.succeeded()).isEqualTo(3_334);
                    assertThat(stats.unmatched()).as("replies of other instances read by this one").isZero();
                }
                assertThat(responders.stream().mapToLong(x -> x.stats().answered()).sum()).isEqualTo(10_002);
                assertThat(responders).allSatisfy(x -> assertThat(x.stats().answered()).isPositive());
            } finally {
                responders.forEach(Responder::close);
                requesters.forEach(Requester::close);
            }
        }
    }

    @Test
    void aResponderKilledMidFlightLeavesCallersATimeoutOrTheOtherRespondersAnswerNeverAWrongOne() throws Exception {
        try (Courier courier = connect("kill")) {
            Endpoint<String, String, String> endpoint = endpoint(courier, "kill-requests", 4);
            Process doomed = startResponder(endpoint.name(), "kill-responders", "doomed");
            try (Requester requester = Requester.start(courier, RequesterOptions.builder("kill.replies").build())) {
                List<CompletableFuture<Reply<String>>> futures = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    futures.add(requester.request(endpoint, "k" + i, "req-" + i, Duration.ofSeconds(40)));
                }
                await().atMost(Duration.ofMinutes(1)).until(() -> requester.stats().succeeded() >= 200);
                // the survivor joins, the group rebalances, and the doomed one dies in the middle of it all
                try (Responder survivor = Responder.start(courier, endpoint,
                        ResponderOptions.builder("kill-responders").build(), echo("survivor"))) {
                    doomed.destroyForcibly().waitFor();
                    long answeredAtKill = requester.stats().succeeded();
                    int timeouts = 0;
                    AtomicInteger bySurvivor = new AtomicInteger();
                    for (int i = 0; i < futures.size(); i++) {
                        Reply<String> reply = futures.get(i).get(2, TimeUnit.MINUTES);
                        if (reply instanceof Reply.Timeout) {
                            timeouts++;
                        } else {
                            assertOwnReply("req-" + i, reply);
                            if (((Reply.Success<String>) reply).value().endsWith(":survivor")) {
                                bySurvivor.incrementAndGet();
                            }
                        }
                    }
                    LOG.info("killed after {} answers: {} answered by the survivor, {} timeouts; {} {}", answeredAtKill,
                            bySurvivor, timeouts, requester.stats(), survivor.stats());
                    assertThat(bySurvivor.get()).as("answers after the kill").isPositive();
                    assertThat(requester.stats().failed()).isZero();
                    // Every reply written is a caller's answer or dropped and counted as late: a second answer to a
                    // request the doomed responder had answered before it died without committing, or an answer
                    // after the deadline. The survivor may still answer redeliveries, hence the wait.
                    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                        List<String> replies = replyPayloads("kill.replies");
                        RequesterStats stats = requester.stats();
                        LOG.info("{} replies written to {} requests, {}", replies.size(),
                                replies.stream().distinct().count(), stats);
                        assertThat(stats.succeeded() + stats.late()).as("replies read").isEqualTo(replies.size());
                        assertThat(stats.late()).as("duplicates among the late")
                                .isGreaterThanOrEqualTo(replies.size() - replies.stream().distinct().count());
                        assertThat(stats.unmatched()).isZero();
                    });
                }
            } finally {
                doomed.destroyForcibly();
            }
        }
    }

    @Test
    void aRestartedRequesterDropsTheRepliesOfItsPreviousLifeAndAnswersItsNewCallers() throws Exception {
        try (Courier courier = connect("restart")) {
            Endpoint<String, String, String> endpoint = endpoint(courier, "restart-requests", 2);
            CountDownLatch gate = new CountDownLatch(1);
            RequestHandler<String, String, String> gated = gated(gate);
            RequesterOptions options = RequesterOptions.builder("restart.replies").replyPartitions(2)
                    .instanceId("checkout-1").build();
            try (Responder responder = Responder.start(courier, endpoint, ResponderOptions.builder("restart-responders")
                    .build(), gated)) {
                List<CompletableFuture<Reply<String>>> before = new ArrayList<>();
                Requester first = Requester.start(courier, options);
                for (int i = 0; i < 300; i++) {
                    before.add(first.request(endpoint, "k" + i, "old-" + i, Duration.ofMinutes(1)));
                }
                first.close(); // in flight: nobody has answered yet
                assertThat(before).allSatisfy(f -> assertThat(f).failsWithin(Duration.ZERO)
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(io.courier.common.CourierException.class)
                        .withMessageContaining("closed before request").withMessageContaining("was answered"));
                assertThat(first.stats()).as("each failure counted once, none as a reply")
                        .returns(300L, RequesterStats::sent).returns(300L, RequesterStats::errors)
                        .returns(0L, RequesterStats::failed).returns(0, RequesterStats::pending);
                assertThat(before.stream().map(f -> f.handle((r, e) -> e.getMessage()).join()).distinct())
                        .as("each failure names its own request (correlation id) and its topic").hasSize(300)
                        .allSatisfy(m -> assertThat(m).contains(" to '" + endpoint.name() + "' "));

                try (Requester second = Requester.start(courier, options)) {
                    gate.countDown(); // the old requests are answered now, to partitions the new instance reads
                    List<CompletableFuture<Reply<String>>> after = new ArrayList<>();
                    for (int i = 0; i < 300; i++) {
                        after.add(second.request(endpoint, "k" + i, "new-" + i, Duration.ofMinutes(1)));
                    }
                    for (int i = 0; i < after.size(); i++) {
                        assertOwnReply("new-" + i, after.get(i).get(1, TimeUnit.MINUTES));
                    }
                    await().atMost(Duration.ofMinutes(1)).until(() -> second.stats().unmatched() == 300);
                    LOG.info("restarted requester: {}", second.stats());
                    assertThat(second.stats().succeeded()).isEqualTo(300);
                    assertThat(responder.stats().answered()).isEqualTo(600);
                }
            }
        }
    }

    /**
     * A stable {@code instanceId} makes the requester a static member (KIP-345): closing it does not leave the
     * group, so the other instance keeps its partitions, and none of the closed one's, while it is away; restarted
     * within the session timeout, it gets its own back. A dynamic member's close would move its partitions to the
     * other instance within a heartbeat (3 s).
     */
    @Test
    void aRequesterRestartedWithItsInstanceIdKeepsItsPartitionsFromTheOtherInstancesWhileAway() throws Exception {
        try (Courier courier = connect("static")) {
            Endpoint<String, String, String> endpoint = endpoint(courier, "static-requests", 2);
            RequesterOptions.Builder options = RequesterOptions.builder("static.replies").replyPartitions(4);
            try (Responder responder = Responder.start(courier, endpoint,
                    ResponderOptions.builder("static-responders").build(), echo("r"));
                    Requester other = Requester.start(courier, options.instanceId("other").build())) {
                Set<Integer> kept;
                Set<Integer> itsOwn;
                try (Requester restarted = Requester.start(courier, options.instanceId("restarted").build())) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> other.replyPartitions().size() == 2 && restarted.replyPartitions().size() == 2);
                    kept = other.replyPartitions();
                    itsOwn = restarted.replyPartitions();
                }
                long gone = System.nanoTime();
                while (System.nanoTime() - gone < TimeUnit.SECONDS.toNanos(10)) {
                    assertThat(other.replyPartitions()).as("the other instance's partitions while one is away")
                            .isEqualTo(kept);
                    Thread.sleep(100);
                }
                try (Requester back = Requester.start(courier, options.instanceId("restarted").build())) {
                    assertThat(back.replyPartitions()).isEqualTo(itsOwn);
                    assertOwnReply("again", back.request(endpoint, "k", "again", Duration.ofSeconds(30))
                            .get(1, TimeUnit.MINUTES));
                    assertThat(other.replyPartitions()).isEqualTo(kept);
                    assertThat(responder.stats().answered()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aRequesterThatLosesReplyPartitionsToANewInstanceStillGetsTheRepliesInFlightToThem() throws Exception {
        try (Courier courier = connect("scale")) {
            Endpoint<String, String, String> endpoint = endpoint(courier, "scale-requests", 2);
            CountDownLatch gate = new CountDownLatch(1);
            RequestHandler<String, String, String> gated = gated(gate);
            RequesterOptions options = RequesterOptions.builder("scale.replies").replyPartitions(4).build();
            try (Responder responder = Responder.start(courier, endpoint,
                    ResponderOptions.builder("scale-responders").build(), gated);
                    Requester first = Requester.start(courier, options)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> first.replyPartitions().size() == 4);
                List<CompletableFuture<Reply<String>>> inFlight = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    inFlight.add(first.request(endpoint, "k" + i, "req-" + i, Duration.ofSeconds(90)));
                }
                try (Requester second = Requester.start(courier, options)) { // scale out: two partitions move
                    await().atMost(Duration.ofSeconds(60)).until(() -> first.replyPartitions().size() == 2
                            && second.replyPartitions().size() == 2);
                    gate.countDown(); // now the replies go out, half of them to partitions the first one lost
                    for (int i = 0; i < inFlight.size(); i++) {
                        assertOwnReply("req-" + i, inFlight.get(i).get(2, TimeUnit.MINUTES));
                    }
                    LOG.info("after scale-out: first {}, second {}, responder {}", first.stats(), second.stats(),
                            responder.stats());
                    assertThat(first.stats().timedOut()).isZero();
                    // read on the second one's own reply thread, which may not have got to them yet
                    await("the moved partitions' replies, seen by their new owner").atMost(Duration.ofSeconds(60))
                            .until(() -> second.stats().unmatched() > 0);
                }
            }
        }
    }

    private Process startResponder(String topic, String group, String name) throws Exception {
        return ChildJvm.start(ResponderService.class, "256m", cluster.bootstrapServers(), topic, group, name);
    }

}
