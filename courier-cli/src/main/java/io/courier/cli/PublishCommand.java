package io.courier.cli;

import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.core.Envelope;
import io.courier.core.EnvelopeFormat;
import io.courier.core.OutboundMessage;
import io.courier.core.Publisher;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier publish}: UTF-8 text messages to an existing topic through Courier's publisher, so every record
 * carries Courier's envelope (by default the one {@code courier-envelope} header; {@code ce_*} headers with
 * {@code --envelope CLOUD_EVENTS}; the one binary {@code courier} header with {@code --envelope BINARY}), with {@code courier-cli} as its source. Prints
 * {@code topic-partition@offset} for each acknowledged message, in input order, and stops at the first message
 * that is not acknowledged.
 */
@Command(name = "publish",
        mixinStandardHelpOptions = true,
        description = {"Publish text messages with Courier's envelope headers.",
                "Prints topic-partition@offset for each acknowledged message, in input order.",
                "The value is --value, or the whole of --file, or else one message per line of standard input.",
                "The topic must exist (see 'courier topics create'). Messages are acknowledged by all in-sync replicas."})
final class PublishCommand implements Callable<Integer> {
    /** Messages sent but not yet printed; past this many the input waits, so memory stays bounded. */
    private static final int MAX_IN_FLIGHT = 1000;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic; it must exist.")
    String topic;

    @Option(names = "--key", paramLabel = "KEY",
            description = "The key of every message; messages with one key go to one partition, in order. Default: none.")
    String key;

    @ArgGroup(exclusive = true)
    Source source;

    @Option(names = "--header", paramLabel = "NAME=VALUE",
            description = "A header for every message, in addition to Courier's envelope (whose names, "
                    + "courier-envelope, courier, ce_*, content-type and traceparent, are refused); repeatable, "
                    + "each name once.")
    List<String> headerOptions = new ArrayList<>();

    /** The --header options by name, checked in {@link #call()}. */
    private final Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--envelope", defaultValue = "COMPACT", paramLabel = "FORMAT",
            description = "How the envelope is written: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    EnvelopeFormat envelope;

    /** Where lines come from without --value or --file; a field so that tests can give their own. */
    InputStream in = System.in;

    /** Where the value comes from; at most one of the two, neither means standard input. */
    static final class Source {
        @Option(names = "--value", paramLabel = "TEXT", description = "Publish one message with this value.")
        String value;

        @Option(names = "--file", paramLabel = "FILE", description = "Publish the whole file (UTF-8) as one message, without the line break that ends it.")
        Path file;
    }

    @Override
    public Integer call() {
        ConnectionOptions.requireLegalTopic(topic);
        for (String option : headerOptions) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--header '" + option + "' is not NAME=VALUE; expected a "
                        + "non-empty name, '=' and the value (which may be empty or hold '=')");
            }
            String name = option.substring(0, eq);
            if (headers.putIfAbsent(name, option.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("--header " + name + " is given twice; expected each name once "
                        + "(the second would silently replace the first)");
            }
        }
        for (String name : headers.keySet()) {
            if (Envelope.Headers.isReserved(name)) {
                throw new IllegalArgumentException("--header " + name + " belongs to Courier's envelope (its headers "
                        + "and every CloudEvents ce_* name), which publish writes itself; choose another name");
            }
        }
        connection.refuseTransactions("publish publishes at least once,");
        String single = source == null ? null : source.value != null ? source.value : read(source.file);
        Acknowledgements acks = new Acknowledgements(topic, spec.commandLine().getOut(), spec.commandLine().getErr(),
                single == null);
        Thread hook = new Thread(acks::finishOnShutdown, "courier-publish-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Courier courier = connection.connect(envelope)) {
            // The publisher checks too, but its message speaks to Java code ("call Courier.provision(...)").
            connection.describeExisting(courier.admin(), topic);
            publish(courier, single, acks);
        } catch (CompletionException e) {
            throw e.getCause() instanceof CourierException ce ? ce : new CourierException("cannot publish to topic '"
                    + topic + "' at " + connection.servers() + ": " + e.getCause(), e.getCause());
        } finally {
            CourierCli.removeShutdownHook(hook);
        }
        return 0;
    }

    private void publish(Courier courier, String single, Acknowledgements acks) {
        try (Publisher<String, String> publisher = courier.publisher(Topic.of(topic, Serdes.string(), Serdes.string()))) {
            if (single != null) {
                if (acks.send(() -> publisher.publish(message(single)), false, MAX_IN_FLIGHT)) {
                    acks.awaitAll();
                }
            } else {
                publishLines(publisher, acks);
            }
        }
    }

    /**
     * One message per line. Sends run ahead of acknowledgements while more input is ready, so a file or a pipe is
     * published at full speed; when the input pauses (someone typing), every pending acknowledgement is printed
     * before the next line is awaited.
     */
    private void publishLines(Publisher<String, String> publisher, Acknowledgements acks) {
        Utf8Lines lines = new Utf8Lines(in);
        try {
            for (String line = lines.next(); line != null; line = lines.next()) {
                String value = line;
                if (!acks.send(() -> publisher.publish(message(value)), lines.ready(), MAX_IN_FLIGHT)) {
                    return; // the JVM is shutting down, and its hook prints what was sent
                }
            }
        } catch (IOException e) {
            try {
                acks.awaitAll();
            } catch (CourierException failed) {
                failed.addSuppressed(e); // the line that could not be read stays on record
                throw failed;
            }
            long read = acks.sent();
            if (e instanceof CharacterCodingException) {
                throw new IllegalArgumentException("line " + (read + 1) + " of standard input is not UTF-8 text; "
                        + "nothing from it on was published (the " + read + " line(s) before it were)", e);
            }
            throw new IllegalStateException("cannot read standard input after line " + read + ": " + e, e);
        }
        acks.awaitAll();
    }

    private OutboundMessage<String, String> message(String value) {
        OutboundMessage<String, String> message = OutboundMessage.of(key, value);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            message = message.withHeader(h.getKey(), h.getValue());
        }
        return message;
    }

    private static String read(Path file) {
        if (!Files.exists(file) || Files.isDirectory(file)) { // a pipe, --file <(...), is fine
            throw new IllegalArgumentException("file '" + file + "' does not exist or is not a file; --file expects "
                    + "a file whose whole content is the message value");
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            // The line break that ends a text file is the file's, not the message's; only that one: blank lines
            // before it are content.
            return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException e) {
            // Files.readString reports bytes that are not UTF-8 as a bare "Input length = 1".
            throw new IllegalArgumentException("cannot read file '" + file + "' as UTF-8 text: " + e, e);
        }
    }
}
