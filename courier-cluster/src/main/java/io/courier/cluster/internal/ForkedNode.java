package io.courier.cluster.internal;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A node in a child JVM, with the same class path as this one, so that it can be killed with SIGKILL. */
final class ForkedNode implements ClusterNode {
    private static final int TAIL_LINES = 30;

    private final NodeSpec spec;
    private final String heap;
    private final Path propertiesFile;
    private final Path logFile;
    private final Deque<String> tail = new ArrayDeque<>();
    /** The started node's JVM; guarded by this. */
    private Process process;
    /** The JVM of a start under way; guarded by this. */
    private Process starting;
    /** Set by abandon(): a start destroys its JVM instead of keeping it. Guarded by this. */
    private boolean abandoned;

    ForkedNode(NodeSpec spec, String heap, Path dataDir) {
        this.spec = spec;
        this.heap = heap;
        this.propertiesFile = dataDir.resolve("node-" + spec.nodeId() + ".properties");
        this.logFile = dataDir.resolve("node-" + spec.nodeId() + ".log");
    }

    @Override
    public NodeSpec spec() {
        return spec;
    }

    @Override
    public void start(Duration timeout) {
        Process started = null;
        synchronized (this) {
            tail.clear(); // a restart's error shows its own lines, not the last run's shutdown
        }
        try {
            writeProperties();
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + heap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(), propertiesFile.toString());
            started = new ProcessBuilder(command).redirectErrorStream(true).start();
            synchronized (this) {
                starting = started;
                if (abandoned) {
                    started.destroyForcibly(); // given up on before its JVM was even launched
                }
            }
            Process launched = started;
            CountDownLatch ready = new CountDownLatch(1);
            Thread pump = new Thread(() -> pumpOutput(launched, ready), "courier-node-" + spec.nodeId() + "-output");
            pump.setDaemon(true);
            pump.start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ready.await(100, TimeUnit.MILLISECONDS)) {
                if (!started.isAlive() || System.nanoTime() > deadline) {
                    boolean timedOut = started.isAlive();
                    started.destroyForcibly().waitFor();
                    pump.join(1000);
                    throw new CourierException("node " + spec.nodeId() + " did not start"
                            + (timedOut ? " within " + Durations.format(timeout)
                                    : " (exit code " + started.exitValue() + ")")
                            + "; the last lines of " + logFile + ":\n" + tail());
                }
            }
            synchronized (this) {
                starting = null;
                if (!abandoned) {
                    process = started;
                    return;
                }
            }
            started.destroyForcibly(); // leave no JVM behind holding the ports of a cluster that gave up on it
            throw new CourierException("node " + spec.nodeId() + " was given up on while it started");
        } catch (IOException e) {
            throw new CourierException("cannot launch a JVM for node " + spec.nodeId() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            // The cluster gave up on the start (its own timeout, or close): leave no JVM behind holding the ports.
            if (started != null) {
                started.destroyForcibly();
            }
            Thread.currentThread().interrupt();
            throw new CourierException("interrupted while starting node " + spec.nodeId(), e);
        }
    }

    @Override
    public void stop() {
        end(false);
    }

    @Override
    public synchronized void abandon() {
        abandoned = true;
        if (starting != null) {
            starting.destroyForcibly(); // its start loop sees the JVM gone and ends at once
        }
    }

    @Override
    public void kill() {
        end(true);
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void end(boolean forcibly) {
        Process running;
        synchronized (this) {
            running = process;
            process = null;
        }
        if (running == null) {
            return;
        }
        try {
            if (forcibly) {
                running.destroyForcibly().waitFor();
            } else {
                running.destroy(); // SIGTERM: the node's shutdown hook runs a controlled shutdown
                if (!running.waitFor(2, TimeUnit.MINUTES)) {
                    running.destroyForcibly().waitFor();
                }
            }
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void writeProperties() throws IOException {
        Properties props = new Properties();
        props.putAll(spec.properties());
        try (Writer out = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
            props.store(out, "Courier embedded node " + spec.nodeId());
        }
    }

    private void pumpOutput(Process child, CountDownLatch ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals(NodeMain.READY)) {
                    ready.countDown();
                }
                log.write(line);
                log.newLine();
                log.flush();
                remember(line);
            }
        } catch (IOException ignored) {
            // The child is gone; its log ends here.
        }
    }

    private synchronized void remember(String line) {
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
    }

    private synchronized String tail() {
        return String.join("\n", tail);
    }
}
