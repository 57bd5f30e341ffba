package io.courier.cluster.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * The entry point of a forked node: {@code NodeMain <broker.properties>}. Prints {@link #READY} once started,
 * shuts down cleanly on SIGTERM, and exits when its parent closes standard input (or dies), so that no orphan
 * broker keeps its ports.
 */
public final class NodeMain {
    static final String READY = "COURIER-NODE-READY";
    /** How long a shutdown after the parent went may take before the JVM halts. */
    private static final long HALT_AFTER_MILLIS = 30_000;

    private NodeMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: NodeMain <broker.properties>");
            System.exit(2);
        }
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            props.load(in);
        }
        Map<String, String> config = new HashMap<>();
        props.stringPropertyNames().forEach(k -> config.put(k, props.getProperty(k)));
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "courier-node-shutdown"));
        // Before start-up, which can wait for a quorum for ever: a parent that gave up must not leave this JVM behind.
        Thread watchdog = new Thread(NodeMain::exitWhenParentGoes, "courier-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            server.startup();
        } catch (Exception | Error e) { // Exception: Kafka's Scala code throws checked ones too
            // The controller's threads would keep this JVM alive; exit, as Kafka's own main does, so that the parent
            // sees the exit and reports the log at once instead of at its start timeout.
            System.err.println("Kafka node failed to start: " + e);
            exitWithin(HALT_AFTER_MILLIS, 1);
        }
        System.out.println(READY);
        System.out.flush();
        server.awaitShutdown();
    }

    private static void exitWhenParentGoes() {
        InputStream in = System.in;
        try {
            while (in.read() >= 0) {
                // The parent never writes; reading only detects end of stream.
            }
        } catch (IOException ignored) {
            // A broken pipe means the parent is gone, same as end of stream.
        }
        // A shutdown that hangs (a node still waiting for its quorum) must not keep this JVM alive either.
        exitWithin(HALT_AFTER_MILLIS, 0);
    }

    /** Exits through the shutdown hooks, or halts if they take longer than the given time. */
    private static void exitWithin(long millis, int status) {
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(status == 0 ? 1 : status);
        }, "courier-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(status);
    }
}
