package io.courier.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What the tests' logger (slf4j-simple, which looks {@code System.err} up for every line) writes while a task runs.
 * Not for tests that run in parallel with others in one JVM.
 */
final class CapturedLog {
    private CapturedLog() {}

    /** A task that may throw what the test itself may throw. */
    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }

    /** @return the log lines written while {@code task} ran; standard error is restored however it ends */
    static String during(Task task) throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            task.run();
        } finally {
            System.setErr(stderr);
        }
        return log.toString(StandardCharsets.UTF_8);
    }
}
