package io.courier.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM while a command works: the JVM's shutdown runs {@code stop} (a consumer's wakeup, an interrupt),
 * then waits up to 10 s for the command to {@link #close()} this, so that it can commit and say what it did before
 * the JVM goes. For one command thread; close it once the command's last words are written.
 */
final class SignalStop implements AutoCloseable {
    private final Thread hook;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean requested;

    private SignalStop(String name, Runnable stop) {
        this.hook = new Thread(() -> {
            requested = true;
            stop.run();
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
    }

    /**
     * @param name the hook thread's name
     * @param stop what makes the command stop, run on the JVM's shutdown
     * @return the installed hook, to close when the command is done
     */
    static SignalStop install(String name, Runnable stop) {
        SignalStop signal = new SignalStop(name, stop);
        Runtime.getRuntime().addShutdownHook(signal.hook);
        return signal;
    }

    /** @return whether a signal asked the command to stop */
    boolean requested() {
        return requested;
    }

    /** Removes the hook, or, while the JVM shuts down, lets it go on. */
    @Override
    public void close() {
        CourierCli.removeShutdownHook(hook);
        closed.countDown();
    }
}
