package io.courier.cli;

import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.core.ReplayOptions;
import io.courier.core.ReplayResult;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code courier dlt}: the dead-letter topics that Courier's subscribers write. */
@Command(name = "dlt",
        mixinStandardHelpOptions = true,
        description = "Replay Courier's dead letters to the topics they failed on.",
        subcommands = DltCommand.Replay.class,
        commandListHeading = "%nCommands:%n")
final class DltCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code courier dlt replay}: {@link Courier#replayDeadLetters} from the command line. Replays the records that
     * are on the dead-letter topic when it starts and that the replay group has not replayed yet, then prints how
     * many were replayed and skipped, and which records it left in place because they are not Courier dead letters.
     */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Put the records of a dead-letter topic back on the topics they failed on (header "
                    + "courier_dlt_original_topic), rate-limited, then print how many were replayed and skipped.",
                    "The replay group commits each record after it is acknowledged on its original topic, so a "
                            + "second run (or a run after a crash) continues where the last one stopped.",
                    "Records that are not Courier dead letters (no original topic, or malformed headers) are left in "
                            + "place, listed, and moved past."})
    static final class Replay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Option(names = "--topic", required = true, paramLabel = "DLT",
                description = "The dead-letter topic, for instance orders.dlt.")
        String topic;

        @Option(names = "--rate", paramLabel = "N", defaultValue = "100",
                description = "At most N records a second (may be fractional: 0.5 is one every 2 s). Default: ${DEFAULT-VALUE}.")
        double rate;

        @Option(names = "--max", paramLabel = "N", description = "Read at most N dead-letter records (replayed, skipped or left in place). Default: all of them.")
        Long max;

        @Option(names = "--group", paramLabel = "GROUP",
                description = "The consumer group that remembers how far replays got. Default: courier-dlt-replay.")
        String group;

        @Override
        public Integer call() {
            ConnectionOptions.requireLegalTopic(topic);
            ReplayOptions options = options();
            connection.refuseTransactions("dlt replay commits each replayed record's offset after it is acknowledged, "
                    + "at least once,");
            try (Courier courier = connection.connect()) {
                // The replayer's consumer asks for the topic's metadata, which makes a broker with
                // auto.create.topics.enable (Kafka's default) create a mistyped topic: look before replaying.
                boolean exists = connection.await(courier.admin().listTopics(new ListTopicsOptions().listInternal(true))
                        .names(), "list the topics").contains(topic);
                if (!exists) {
                    throw new CourierException("dead-letter topic '" + topic + "' does not exist at " + connection.servers());
                }
                return replayUntilStopped(courier, options);
            }
        }

        private void print(ReplayResult result) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "Replayed %d record(s) from dead-letter topic '%s', skipped %d.%n",
                    result.replayed(), topic, result.skipped());
            if (result.unreadable() > 0) {
                out.printf(Locale.ROOT, "Left %d record(s) in place that are not Courier dead letters, and moved "
                        + "past them:%n", result.unreadable());
                result.firstUnreadable().forEach(why -> out.println("  " + why));
                if (result.unreadable() > result.firstUnreadable().size()) {
                    out.printf(Locale.ROOT, "  ... and %d more (see the log)%n",
                            result.unreadable() - result.firstUnreadable().size());
                }
            }
            out.flush();
        }

        /**
         * Replays; Ctrl-C or SIGTERM interrupts the replay, which stops at its next wait, send or poll, and its
         * message (how far it got, and where the next replay starts) is printed before the JVM goes.
         *
         * @return the exit code: 0 once the result is printed, 1 if a signal stopped the replay (its message is
         *     printed)
         */
        private int replayUntilStopped(Courier courier, ReplayOptions options) {
            Thread replaying = Thread.currentThread();
            try (SignalStop signal = SignalStop.install("courier-dlt-stop", replaying::interrupt)) {
                try {
                    print(courier.replayDeadLetters(topic, options)); // before the hook lets the JVM go
                    return 0;
                } catch (RuntimeException e) {
                    if (!signal.requested()) {
                        throw e;
                    }
                    spec.commandLine().getErr().println("courier dlt replay: stopped by a signal: " + e.getMessage());
                    spec.commandLine().getErr().flush();
                    return 1;
                }
            }
        }

        /** @return the replay options the flags give; package-private for tests */
        ReplayOptions options() {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("--rate must be a positive number of records a second, but was " + rate);
            }
            if (max != null && max < 1) {
                throw new IllegalArgumentException("--max must be at least 1, but was " + max);
            }
            if (group != null && group.isBlank()) {
                throw new IllegalArgumentException("--group must not be blank");
            }
            ReplayOptions options = ReplayOptions.defaults().withRate(rate);
            if (max != null) {
                options = options.withMaxMessages(max);
            }
            return group == null ? options : options.withGroupId(group);
        }
    }
}
