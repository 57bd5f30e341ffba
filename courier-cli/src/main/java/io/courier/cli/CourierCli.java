package io.courier.cli;

import io.courier.cluster.EmbeddedKafkaCluster;
import io.courier.common.CourierException;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code courier} command: the entry point of the {@code ./courier} launcher. */
@Command(name = "courier",
        mixinStandardHelpOptions = true,
        versionProvider = CourierCli.Version.class,
        description = "Java microservices that talk through Apache Kafka: a dev cluster and tools for any Kafka cluster.",
        subcommands = {ClusterCommand.class, PublishCommand.class, ConsumeCommand.class, TopicsCommand.class,
                DltCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n")
public final class CourierCli implements Runnable {
    /** Exit code for input that the command rejects with a message (bad flags, a file that cannot be read...). */
    static final int USAGE_OR_INPUT_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine cli = newCommandLine();
        // UTF-8 whatever the locale: under LANG=C, Java 17 would print non-ASCII keys, values and headers as '?'.
        cli.setOut(utf8(FileDescriptor.out));
        cli.setErr(utf8(FileDescriptor.err));
        int exitCode = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(exitCode);
    }

    /** Removes a command's shutdown hook once the command ended; a hook the JVM's shutdown already runs stays. */
    static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook is running (and may be waiting for this thread).
        }
    }

    private static PrintWriter utf8(FileDescriptor fd) {
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(new FileOutputStream(fd),
                StandardCharsets.UTF_8)), true);
    }

    /** @return the command line with Courier's error handling: a message that names the problem, no stack trace */
    static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new CourierCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine commandLine = e.getCommandLine();
            String command = commandLine.getCommandSpec().qualifiedName();
            // One line, as for every other bad input; the usage text is one --help away.
            // picocli words a malformed KEY=VALUE as "Value for option option '--config' ...".
            String message = e.getMessage().replace("Value for option option '", "Value for option '");
            commandLine.getErr().println(command + ": " + message + " (see '" + command + " --help')");
            CommandLine.UnmatchedArgumentException.printSuggestions(e, commandLine.getErr());
            return USAGE_OR_INPUT_ERROR;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            // The full name, "courier topics create", so that a message from a sub-command says where it came from.
            String command = commandLine.getCommandSpec().qualifiedName();
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                err.println(command + ": " + e.getMessage());
                return USAGE_OR_INPUT_ERROR;
            }
            if (e instanceof ClusterOnExit.StoppedDuringStart) {
                return 1; // printed while the shutdown waited: the JVM may halt before this runs
            }
            if (e instanceof CourierException) {
                err.println(command + ": " + e.getMessage());
                return 1;
            }
            if (e instanceof ConfigException || e instanceof KafkaException && e.getCause() instanceof ConfigException) {
                // A --command-config entry that only the client created late (a producer, say) rejects; Kafka's
                // producer wraps some ("Failed to construct kafka producer").
                err.println(command + ": a Kafka client setting is invalid: " + ConnectionOptions.reason(e));
                return USAGE_OR_INPUT_ERROR;
            }
            if (e instanceof KafkaException) {
                // What a command did not wrap itself: an authorization refusal, a timeout...
                err.println(command + ": Kafka refused or failed: " + ConnectionOptions.reason(e));
                return 1;
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints Courier's version and the Kafka version it embeds. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String courier = CourierCli.class.getPackage().getImplementationVersion();
            return new String[] {"courier " + (courier == null ? "(development build)" : courier)
                    + ", Apache Kafka " + EmbeddedKafkaCluster.kafkaVersion() + " (KRaft)"};
        }
    }
}
