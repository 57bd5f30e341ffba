package io.courier.cluster.junit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a service in a JVM of its own, with this JVM's class path, so that a test can kill it with SIGKILL
 * ({@link Process#destroyForcibly()}): no shutdown hook, no commit, no goodbye to the consumer group. The service's
 * main method prints a line {@code READY} once it is serving; its other output is drained and dropped.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * @param main the service's main class
     * @param heap the child's {@code -Xmx}, for instance {@code 256m}
     * @param args its arguments
     * @return the running child, after it printed {@code READY}
     * @throws IOException if the JVM cannot be started
     * @throws AssertionError with everything the child printed if it exits or stays silent for two minutes
     */
    public static Process start(Class<?> main, String heap, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null && !line.equals("READY")) {
            seen.append(line).append('\n');
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        if (line == null || !line.equals("READY")) {
            p.destroyForcibly();
            throw new AssertionError(main.getSimpleName() + " did not start:\n" + seen);
        }
        Thread drain = new Thread(() -> reader.lines().forEach(l -> { }), "drain-" + main.getSimpleName());
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
