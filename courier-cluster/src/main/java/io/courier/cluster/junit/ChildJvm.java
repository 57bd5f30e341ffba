package io.courier.cluster.junit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
        // The output is read on a thread of its own, so that a child that prints nothing cannot block the wait.
        CompletableFuture<Void> ready = new CompletableFuture<>();
        StringBuffer seen = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("READY")) {
                        ready.complete(null);
                    } else if (!ready.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                seen.append(e).append('\n');
            }
            ready.completeExceptionally(new IllegalStateException("exited"));
        }, "output-" + main.getSimpleName());
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError("interrupted while starting " + main.getSimpleName(), e);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new AssertionError(main.getSimpleName() + " did not start ("
                    + (e instanceof TimeoutException ? "no READY within 2 minutes" : "it exited") + "):\n" + seen);
        }
        return p;
    }
}
