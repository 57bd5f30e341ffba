package io.courier.bench.es;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.bench.internal.BenchTopics;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.internal.Futures;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.CommandGateway;
import io.courier.eventsourcing.CommandProcessor;
import io.courier.eventsourcing.CommandResult;
import io.courier.eventsourcing.ProcessorOptions;
import io.courier.eventsourcing.Projection;
import io.courier.eventsourcing.Replay;
import io.courier.requestreply.Reply;
import io.courier.requestreply.Requester;
import io.courier.requestreply.RequesterOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Commands through the single-writer processor, then a rebuild by replay, then a check of the event topic: the
 * run reports its own correctness from what is on the topic, not from counters.
 *
 * @param bootstrapServers the cluster
 * @param clientProperties Kafka client settings for every client (security, as from {@code --command-config})
 * @param aggregates       how many aggregates the commands spread over
 * @param commands         how many commands
 * @param clients          concurrent clients, each with up to 16 commands in flight
 */
public record EventSourcingBenchmark(String bootstrapServers, Map<String, String> clientProperties, int aggregates, int commands, int clients) {

    public EventSourcingBenchmark {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        clientProperties = Map.copyOf(clientProperties);
        requireArgument(aggregates >= 1, "aggregates must be at least 1, but was %s", aggregates);
        requireArgument(commands >= 1, "commands must be at least 1, but was %s", commands);
        requireArgument(clients >= 1, "clients must be at least 1, but was %s", clients);
    }

    /**
     * What one run measured; the {@code --json} document.
     *
     * @param commandsAccepted   commands answered with an acceptance
     * @param commandsRejected   commands answered with a rejection (every 20th is a debit beyond the balance)
     * @param commandsFailed     commands without an answer (timeout or failure)
     * @param commandsPerSec     answered commands per second
     * @param eventsAppended     events on the topic, read back
     * @param duplicateEvents    events on the topic whose aggregate and version repeat an earlier one
     * @param replayEventsPerSec rebuild rate
     * @param rebuildMatchesLive whether the states rebuilt from the topic equal the processor's
     * @param projectionLagMsP99 p99 of the time from a command's acceptance to the projection showing it
     * @param projectionLagMsMax the largest such time
     */
    public record Result(long commandsAccepted, long commandsRejected, long commandsFailed, double commandsPerSec,
            long eventsAppended, long duplicateEvents, double replayEventsPerSec, boolean rebuildMatchesLive,
            double projectionLagMsP99, double projectionLagMsMax) {

        /** @return a console summary */
        public String table() {
            return String.format(Locale.ROOT, "commands: %,d accepted, %,d rejected, %,d unanswered, %,.0f/s%n"
                            + "events appended: %,d (duplicates on the topic: %d)%n"
                            + "replay: %,.0f events/s, rebuilt state equals live state: %s%n"
                            + "projection lag (acceptance to read model): p99 %.1f ms, max %.1f ms%n",
                    commandsAccepted, commandsRejected, commandsFailed, commandsPerSec, eventsAppended, duplicateEvents,
                    replayEventsPerSec, rebuildMatchesLive, projectionLagMsP99, projectionLagMsMax);
        }
    }

    /**
     * @param progress receives progress lines
     * @return the result
     */
    public Result run(Consumer<String> progress) {
        String name = "bench-wallet-" + UUID.randomUUID().toString().substring(0, 8);
        return BenchTopics.runThenDelete(() -> run(name, progress), () -> deleteTopics(name));
    }

    /**
     * Deletes the run's topics once its clients are closed: commands, events, replies, dead letters and Kafka
     * Streams' changelog, all named after the run, whose random name would otherwise leave them piling up.
     */
    private void deleteTopics(String name) {
        try (Courier courier = Courier.connect(CourierConfig.builder(bootstrapServers).serviceName("courier-bench")
                .clientProperties(clientProperties).build())) {
            List<String> topics = Futures.await(courier.admin().listTopics().names(), Duration.ofSeconds(60),
                    "list the topics of benchmark run '" + name + "'").stream()
                    .filter(t -> t.startsWith(name + ".") || t.startsWith(name + "-")).toList();
            BenchTopics.delete(courier.admin(), topics, bootstrapServers);
        }
    }

    private Result run(String name, Consumer<String> progress) {
        Aggregate<Wallets.Wallet, Wallets.Command, Wallets.Event> wallets = Wallets.aggregate(name, 3);
        try (Courier courier = Courier.connect(CourierConfig.builder(bootstrapServers).serviceName("courier-bench")
                .clientProperties(clientProperties).build());
                CommandProcessor<Wallets.Wallet> processor = CommandProcessor.start(courier, wallets,
                        ProcessorOptions.builder(name + "-processor").build()).awaitRunning(Duration.ofMinutes(2));
                Requester requester = Requester.start(courier, RequesterOptions.builder(name + ".replies").replyPartitions(3).build());
                Projection<Long> balances = Projection.start(courier, wallets, name + "-balances",
                        (Long b, String id, Wallets.Event e) -> e instanceof Wallets.Credited c ? (b == null ? 0 : b) + c.amount()
                                : e instanceof Wallets.Debited d ? b - d.amount() : 0L)) {
            CommandGateway<Wallets.Command> gateway = CommandGateway.of(requester, wallets);
            List<CompletableFuture<Reply<CommandResult>>> opened = new ArrayList<>();
            for (int a = 0; a < aggregates; a++) {
                opened.add(gateway.send("w-" + a, new Wallets.Open(), Duration.ofMinutes(1)));
            }
            opened.forEach(CompletableFuture::join);
            progress.accept("opened " + aggregates + " wallets; sending " + commands + " commands from " + clients + " clients");
            Counts counts = new Counts();
            LagWatch lagWatch = LagWatch.start(balances, counts.lagMicros);
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                Thread t = new Thread(() -> send(gateway, lagWatch, client, counts), "bench-es-client-" + c);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                join(t);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            lagWatch.finish(Duration.ofMinutes(1));
            progress.accept(String.format(Locale.ROOT, "commands done in %.1f s; replaying the event topic", seconds));
            Replay.Result<Wallets.Wallet> rebuilt = Replay.rebuild(courier, wallets);
            EventTopicCheck check = EventTopicCheck.read(courier, wallets.eventsTopic());
            boolean matches = rebuilt.states().equals(processor.states());
            Histogram lag = counts.lagMicros;
            synchronized (lag) {
                return new Result(counts.accepted.get(), counts.rejected.get(), counts.failed.get(),
                        (counts.accepted.get() + counts.rejected.get()) / seconds, check.events(), check.duplicates(),
                        rebuilt.eventsPerSecond(), matches, lag.getValueAtPercentile(99) / 1000.0, lag.getMaxValue() / 1000.0);
            }
        }
    }

    private static final class Counts {
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Histogram lagMicros = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    }

    private void send(CommandGateway<Wallets.Command> gateway, LagWatch lagWatch, int client, Counts counts) {
        Semaphore window = new Semaphore(16);
        List<CompletableFuture<?>> mine = new ArrayList<>();
        for (int i = client; i < commands; i += clients) {
            window.acquireUninterruptibly();
            String id = "w-" + (i % aggregates);
            Wallets.Command command = i % 20 == 19 ? new Wallets.Debit(Long.MAX_VALUE) : new Wallets.Credit(1);
            mine.add(gateway.send(id, command, Duration.ofMinutes(1)).whenComplete((reply, error) -> {
                window.release();
                if (reply instanceof Reply.Success<CommandResult> s) {
                    if (s.value().accepted()) {
                        counts.accepted.incrementAndGet();
                        lagWatch.watch(s.value().offsets());
                    } else {
                        counts.rejected.incrementAndGet();
                    }
                } else {
                    counts.failed.incrementAndGet();
                }
            }));
        }
        mine.forEach(f -> f.exceptionally(e -> null).join());
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
