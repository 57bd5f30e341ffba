package io.courier.cli;

import io.courier.common.CourierException;
import java.io.PrintWriter;
import io.courier.cluster.EmbeddedKafkaCluster;
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
    /** Exit code for input that the command rejects with a message (bad flags, a port in use...). */
    static final int USAGE_OR_INPUT_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** @return the command line with Courier's error handling: a message that names the problem, no stack trace */
    static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new CourierCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            // The full name, "courier topics create", so that a message from a sub-command says where it came from.
            String command = commandLine.getCommandSpec().qualifiedName();
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                err.println(command + ": " + e.getMessage());
                return USAGE_OR_INPUT_ERROR;
            }
            if (e instanceof CourierException) {
                err.println(command + ": " + e.getMessage());
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
