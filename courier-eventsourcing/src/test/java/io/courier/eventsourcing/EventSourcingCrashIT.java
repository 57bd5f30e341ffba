package io.courier.eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.cluster.junit.ChildJvm;
import io.courier.cluster.junit.EmbeddedKafka;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.requestreply.Reply;
import io.courier.requestreply.Requester;
import io.courier.requestreply.RequesterOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The command processor killed with SIGKILL mid-stream and restarted: no event twice, no accepted command lost. */
@EmbeddedKafka
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class EventSourcingCrashIT {
    private static final Logger LOG = LoggerFactory.getLogger(EventSourcingCrashIT.class);
    private static final int ACCOUNTS = 10;
    private static final int DEPOSITS = 1_500;

    /** The killed processors' Kafka Streams state, deleted with the test. */
    @TempDir
    java.nio.file.Path stateDirectory;

    @Test
    void aKilledProcessorLeavesNoDuplicateEventAndLosesNoAcceptedCommand(EmbeddedKafkaCluster cluster) throws Exception {
        String name = "crash-account";
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> accounts = Accounts.aggregate(name);
        Process first = start(cluster, name);
        try (Courier courier = Courier.connect(CourierConfig.builder(cluster.bootstrapServers()).build());
                Requester requester = Requester.start(courier, RequesterOptions.builder(name + ".replies").build())) {
            CommandGateway<Accounts.Command> gateway = CommandGateway.of(requester, accounts);
            for (int a = 0; a < ACCOUNTS; a++) {
                Reply<CommandResult> opened = gateway.send("acct-" + a, new Accounts.Open("o" + a), Duration.ofMinutes(1)).get();
                assertThat(((Reply.Success<CommandResult>) opened).value().accepted()).isTrue();
            }
            List<CompletableFuture<Reply<CommandResult>>> sent = new ArrayList<>();
            for (int i = 0; i < DEPOSITS; i++) {
                sent.add(gateway.send("acct-" + (i % ACCOUNTS), new Accounts.Deposit(1), Duration.ofMinutes(3)));
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> sent.stream().filter(CompletableFuture::isDone).count() >= 300);
            first.destroyForcibly().waitFor(); // SIGKILL: an open transaction is left to abort
            long doneAtKill = sent.stream().filter(CompletableFuture::isDone).count();
            Process second = start(cluster, name);
            try {
                Map<String, Integer> acceptedPerAccount = new HashMap<>();
                Set<String> acceptedVersions = new HashSet<>();
                Map<EventOffset, String> acceptedAt = new HashMap<>();
                int timeouts = 0;
                for (CompletableFuture<Reply<CommandResult>> f : sent) {
                    Reply<CommandResult> r = f.get(4, TimeUnit.MINUTES);
                    if (r instanceof Reply.Success<CommandResult> s && s.value().accepted()) {
                        acceptedPerAccount.merge(s.value().aggregateId(), 1, Integer::sum);
                        assertThat(acceptedVersions.add(s.value().aggregateId() + "@" + s.value().version()))
                                .as("two acceptances for one version").isTrue();
                        assertThat(s.value().offsets()).hasSize(1);
                        acceptedAt.put(s.value().offsets().get(0), s.value().aggregateId() + "@" + s.value().version());
                    } else {
                        timeouts++;
                    }
                }
                List<EventRecord> events = EventRecord.readAll(cluster.bootstrapServers(), accounts.eventsTopic());
                Set<String> onTopic = events.stream().map(e -> e.aggregateId() + "@" + e.version()).collect(Collectors.toSet());
                long duplicates = events.size() - onTopic.size();
                long commandsAppliedTwice = events.size() - events.stream().map(EventRecord::causationId).distinct().count();
                LOG.info("killed after {} of {} answers; {} accepted, {} not; {} events, {} duplicates, {} commands applied twice",
                        doneAtKill, DEPOSITS, acceptedVersions.size(), timeouts, events.size(), duplicates, commandsAppliedTwice);

                assertThat(duplicates).as("events with the same aggregate and version").isZero();
                assertThat(commandsAppliedTwice).as("events caused by the same command").isZero();
                assertThat(onTopic).as("every accepted command's event is in the store").containsAll(acceptedVersions);
                // The offsets an acceptance returned point at its committed event, never at an aborted write.
                Map<EventOffset, String> committedAt = events.stream().collect(Collectors.toMap(EventRecord::offset,
                        e -> e.aggregateId() + "@" + e.version()));
                acceptedAt.forEach((offset, version) -> assertThat(committedAt.get(offset)).as(offset.toString())
                        .isEqualTo(version));
                Map<String, Long> depositedPerAccount = events.stream().filter(e -> e.type().equals("Deposited"))
                        .collect(Collectors.groupingBy(EventRecord::aggregateId, Collectors.counting()));
                acceptedPerAccount.forEach((id, n) -> assertThat(depositedPerAccount.get(id)).as(id).isEqualTo((long) n));
                assertThat(acceptedVersions).as("the restarted processor answered the rest").hasSizeGreaterThan((int) doneAtKill);
                Replay.Result<Accounts.Account> rebuilt = Replay.rebuild(courier, accounts);
                acceptedPerAccount.forEach((id, n) -> assertThat(rebuilt.states().get(id).state().balance()).isEqualTo((long) n));
            } finally {
                second.destroyForcibly().waitFor();
            }
        } finally {
            first.destroyForcibly().waitFor(); // before the test's state directory is deleted
        }
    }

    private Process start(EmbeddedKafkaCluster cluster, String name) throws Exception {
        return ChildJvm.start(ProcessorService.class, "256m", cluster.bootstrapServers(), name,
                stateDirectory.toString());
    }
}
