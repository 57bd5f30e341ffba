package io.courier.cli;

import io.courier.common.CourierException;
import io.courier.core.PublishResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The messages {@code courier publish} sent and has not printed yet, in input order, shared by the thread that
 * reads the input and the JVM's shutdown (Ctrl-C, SIGTERM). On shutdown nothing more is sent, and the
 * acknowledgements of what was sent are awaited and printed, as Kafka's console producer closes its producer:
 * otherwise lines sent but not yet printed would be published or not, unreported. Thread-safe.
 */
final class Acknowledgements {
    /** How long the shutdown waits for the reading thread, then for the acknowledgements. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final String topic;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock. */
    private final Deque<CompletableFuture<PublishResult>> pending = new ArrayDeque<>();
    /** Lines sent so far; guarded by lock. */
    private long sent;
    /** Set once the shutdown took over; guarded by lock. */
    private boolean stopped;

    Acknowledgements(String topic, PrintWriter out, PrintWriter err) {
        this.topic = topic;
        this.out = out;
        this.err = err;
    }

    /**
     * Sends one message, unless the JVM is shutting down, then prints acknowledgements in order: those already
     * done, and all of them when {@code moreReady} is false (the input pauses) or too many are pending.
     *
     * @return false if the shutdown took over: the message was not sent, and nothing more may be
     * @throws CourierException if a message was not acknowledged, naming its line and what became of later ones
     */
    boolean send(Supplier<CompletableFuture<PublishResult>> send, boolean moreReady, int maxPending) {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            pending.add(send.get());
            sent++;
            while (!pending.isEmpty() && (pending.peek().isDone() || pending.size() > maxPending || !moreReady)) {
                printOrFail();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Prints every pending acknowledgement; @throws CourierException as {@link #send} does */
    void awaitAll() {
        lock.lock();
        try {
            while (!pending.isEmpty()) {
                printOrFail();
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return the lines sent so far */
    long sent() {
        lock.lock();
        try {
            return sent;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Prints the oldest pending acknowledgement. If that message failed, the messages sent after it are waited for
     * and counted, so that the error says what became of every line read.
     */
    private void printOrFail() {
        CompletableFuture<PublishResult> oldest = pending.remove();
        try {
            print(oldest.join());
        } catch (CompletionException e) {
            long line = sent - pending.size();
            long later = pending.size();
            long acknowledged = pending.stream().filter(f -> f.handle((r, x) -> x == null).join()).count();
            throw new CourierException("line " + line + " of standard input was not acknowledged by topic '" + topic
                    + "': " + ConnectionOptions.reason(e) + "; of the " + later + " line(s) sent after it, "
                    + acknowledged + " were acknowledged (not printed); nothing further was read", e.getCause());
        }
    }

    void print(PublishResult result) {
        out.println(result.topic() + "-" + result.partition() + "@" + result.offset());
    }

    /** The shutdown's part: stops sending and prints what is acknowledged within {@link #STOP_WAIT}. */
    void finishOnShutdown() {
        try {
            if (!lock.tryLock(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                err.println("stopped while a message was being sent to topic '" + topic + "' (waiting for the "
                        + "cluster?): whether the lines after the last printed offset were published is not known");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            stopped = true;
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            while (!pending.isEmpty()) {
                long line = sent - pending.size() + 1;
                try {
                    print(pending.peek().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                    pending.remove();
                } catch (TimeoutException e) {
                    err.println("stopped: lines " + line + " to " + sent + " were sent to topic '" + topic
                            + "' but not acknowledged within " + STOP_WAIT.toSeconds() + " s; whether they were "
                            + "published is not known");
                    return;
                } catch (ExecutionException e) {
                    err.println("stopped: line " + line + " of standard input was not acknowledged by topic '"
                            + topic + "': " + ConnectionOptions.reason(e) + "; whether the " + (sent - line)
                            + " line(s) sent after it were published is not known");
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.flush();
            err.flush();
            lock.unlock();
        }
    }
}
