package io.courier.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Utils;

/**
 * One Apache Kafka 3.9 broker (KRaft, combined broker and controller) in a JVM of its own, started the way its
 * distribution's scripts start it: {@code kafka.tools.StorageTool format}, then {@code kafka.Kafka
 * server.properties}. Its class path is the one {@code courier-compat-kafka3} resolved, so no Kafka 4 class is on
 * it. Not thread-safe; one per test class.
 */
final class Kafka3Broker implements AutoCloseable {
    static final String VERSION = "3.9.1";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Path dir;
    private final Process process;
    private final String bootstrapServers;

    private Kafka3Broker(Path dir, Process process, String bootstrapServers) {
        this.dir = dir;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats a fresh data directory and starts the broker.
     *
     * @throws IllegalStateException naming the class-path file if {@code courier-compat-kafka3} was not built
     * @throws AssertionError with the broker's log if it does not answer within two minutes
     */
    static Kafka3Broker start() throws IOException, InterruptedException {
        String classpath = classpath();
        Path dir = Files.createTempDirectory("courier-kafka3-");
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + brokerPort,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "") );
        Files.writeString(dir.resolve("log4j.properties"), String.join("\n",
                "log4j.rootLogger=INFO, file",
                "log4j.appender.file=org.apache.log4j.FileAppender",
                "log4j.appender.file.File=" + dir.resolve("broker.log"),
                "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
                "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
                ""));
        Process format = java(dir, classpath, "format.out", "kafka.tools.StorageTool", "format",
                "-t", Uuid.randomUuid().toString(), "-c", config.toString());
        if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new AssertionError("formatting the Kafka " + VERSION + " storage failed:\n"
                    + read(dir.resolve("format.out")));
        }
        Process broker = java(dir, classpath, "broker.out", "kafka.Kafka", config.toString());
        Kafka3Broker started = new Kafka3Broker(dir, broker, "localhost:" + brokerPort);
        try {
            started.awaitReady();
        } catch (RuntimeException | AssertionError | InterruptedException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** @return the address clients connect to */
    String bootstrapServers() {
        return bootstrapServers;
    }

    /** @return the broker's log so far (INFO and up) */
    String log() {
        return read(dir.resolve("broker.log"));
    }

    private void awaitReady() throws InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        // The port first, so that the admin client below does not log a warning per attempt while the JVM starts.
        while (!listening()) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                break;
            }
            Thread.sleep(200);
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers,
                "default.api.timeout.ms", "5000", "request.timeout.ms", "5000"))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("the Kafka " + VERSION + " broker exited with " + process.exitValue()
                            + ":\n" + read(dir.resolve("broker.out")) + log());
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not listening yet
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("the Kafka " + VERSION + " broker did not answer within " + START_TIMEOUT
                            + ":\n" + log());
                }
                Thread.sleep(200);
            }
        }
    }

    private boolean listening() {
        int port = Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("localhost", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 30 s) and deletes its data. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String classpath() throws IOException {
        String file = System.getProperty("courier.kafka3.classpath");
        if (file == null || !Files.isRegularFile(Path.of(file))) {
            throw new IllegalStateException("no Kafka " + VERSION + " class path at " + file
                    + ": build courier-compat-kafka3 first (./mvnw -q install -DskipTests, then"
                    + " ./mvnw -pl courier-compat verify)");
        }
        String classpath = Files.readString(Path.of(file)).trim();
        if (!classpath.contains("kafka_2.13-" + VERSION + ".jar")) {
            throw new IllegalStateException(file + " does not hold kafka_2.13-" + VERSION + ".jar");
        }
        return classpath;
    }

    private static Process java(Path dir, String classpath, String output, String main, String... args)
            throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlog4j.configuration=" + dir.resolve("log4j.properties").toUri(), "-cp", classpath, main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(output).toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
