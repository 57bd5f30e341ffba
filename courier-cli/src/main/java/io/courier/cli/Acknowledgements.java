package io.courier.cli;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import io.courier.core.PublishResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The lines {@code courier publish} sent and has not printed yet, in input order, shared by the thread that reads
 * the input and the JVM's shutdown (Ctrl-C, SIGTERM). On shutdown nothing more is sent, and the acknowledgements of
 * what was sent are awaited and printed, as Kafka's console producer closes its producer: otherwise lines sent but
 * not yet printed would be published or not, unreported. The reading thread never waits while it holds the lock
 * (a send can block for a minute on a cluster that went away), so the shutdown takes over at once. Thread-safe.
 */
final class Acknowledgements {
    /** How long the shutdown waits for a send under way and for the acknowledgements, together. */
    static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private record Sent(long line, CompletableFuture<PublishResult> ack) {}

    private final String topic;
    private final PrintWriter out;
    private final PrintWriter err;
    /** Held while a line's offset is printed or a failure recorded, never while waiting for the cluster. */
    private final ReentrantLock printing = new ReentrantLock();
    private final Deque<Sent> pending = new ConcurrentLinkedDeque<>();
    private volatile boolean stopRequested;
    /** The line being handed to the producer, 0 if none: a send under way when the shutdown came. */
    private volatile long sending;
    /** Lines sent so far; written by the reading thread only. */
    private volatile long sent;
    /** What the reading thread is reporting as failed, null if nothing; guarded by printing. */
    private String failure;

    /** Whether the input is lines of standard input, numbered in messages; otherwise one message. */
    private final boolean lines;
    private final Duration stopWait;

    /**
     * @param lines true for lines of standard input; false for one message (--value, --file), whose failure is
     *              then the publisher's own error
     */
    Acknowledgements(String topic, PrintWriter out, PrintWriter err, boolean lines) {
        this(topic, out, err, lines, STOP_WAIT);
    }

    Acknowledgements(String topic, PrintWriter out, PrintWriter err, boolean lines, Duration stopWait) {
        this.topic = topic;
        this.out = out;
        this.err = err;
        this.lines = lines;
        this.stopWait = stopWait;
    }

    /**
     * Sends the next line, unless the JVM is shutting down, then prints acknowledgements in order: those already
     * done, and all of them when {@code moreReady} is false (the input pauses) or too many are pending.
     *
     * @return false if the shutdown took over: nothing more may be sent, and the shutdown prints what was
     * @throws CourierException if a line was not acknowledged, naming it and what became of the later ones
     */
    boolean send(Supplier<CompletableFuture<PublishResult>> send, boolean moreReady, int maxPending) {
        long line = sent + 1;
        // Set before stopRequested is read, as the shutdown sets stopRequested before it reads this: either this
        // thread sees the stop, or the shutdown sees the send under way and waits for its line to join the pending.
        sending = line;
        try {
            if (stopRequested) {
                return false;
            }
            pending.add(new Sent(line, send.get()));
            sent = line;
        } finally {
            sending = 0;
        }
        Sent oldest;
        while ((oldest = pending.peek()) != null && (oldest.ack.isDone() || pending.size() > maxPending || !moreReady)) {
            if (!printWhenAcknowledged(oldest)) {
                return false;
            }
        }
        return !stopRequested;
    }

    /** Prints every pending acknowledgement; @throws CourierException as {@link #send} does */
    void awaitAll() {
        Sent oldest;
        while ((oldest = pending.peek()) != null) {
            if (!printWhenAcknowledged(oldest)) {
                return;
            }
        }
    }

    /** @return the lines sent so far */
    long sent() {
        return sent;
    }

    /** @return false if the shutdown took over, which then prints this line and the rest */
    private boolean printWhenAcknowledged(Sent oldest) {
        PublishResult result;
        try {
            result = oldest.ack.join(); // outside the lock
        } catch (CompletionException e) {
            RuntimeException failed = notAcknowledged(oldest, e);
            if (failed == null) {
                return false;
            }
            throw failed;
        }
        printing.lock();
        try {
            if (stopRequested) {
                return false;
            }
            pending.remove();
            print(result);
            return true;
        } finally {
            printing.unlock();
        }
    }

    /**
     * @return the failure of the oldest line, once the lines sent after it are settled and counted; null if the
     * shutdown took over, which reports it
     */
    private RuntimeException notAcknowledged(Sent oldest, CompletionException e) {
        printing.lock();
        try {
            if (stopRequested) {
                return null;
            }
            pending.remove();
            failure = (lines ? "line " + oldest.line + " of standard input" : "the message")
                    + " was not acknowledged by topic '" + topic + "': " + ConnectionOptions.reason(e);
        } finally {
            printing.unlock();
        }
        if (!lines) {
            return e; // the publisher's own error, which names the topic and the key
        }
        long later = pending.size();
        long acknowledged = pending.stream().filter(s -> s.ack.handle((r, x) -> x == null).join()).count();
        pending.clear();
        return new CourierException(failure + "; of the " + later + " line(s) sent after it, " + acknowledged
                + " were acknowledged (not printed); nothing further was read", e.getCause());
    }

    private void print(PublishResult result) {
        out.println(result.topic() + "-" + result.partition() + "@" + result.offset());
    }

    /** The shutdown's part: stops sending and prints what is acknowledged within the stop wait. */
    void finishOnShutdown() {
        stopRequested = true;
        long deadline = System.nanoTime() + stopWait.toNanos();
        printing.lock(); // the reading thread holds it only to print one line
        try {
            if (failure != null) { // the reading thread is counting what followed a failed line: it cannot finish
                err.println("stopped: " + failure + "; whether the lines sent after it were published is not known");
                return;
            }
            while (sending != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // a send under way: its line joins the pending ones when the producer takes it
            }
            if (sending != 0) {
                err.println("stopped while " + (lines ? "line " + sending : "the message") + " was being sent to "
                        + "topic '" + topic + "' (waiting for the cluster?): whether it was published is not known");
            }
            for (Sent s : pending) {
                try {
                    print(s.ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    err.println("stopped: " + (lines ? "lines " + s.line + " to " + pending.peekLast().line
                            + " were" : "the message was") + " sent to topic '" + topic + "' but not acknowledged "
                            + "within " + Durations.format(stopWait) + "; whether " + (lines ? "they were" : "it was")
                            + " published is not known");
                    return;
                } catch (ExecutionException e) {
                    err.println("stopped: " + (lines ? "line " + s.line + " of standard input" : "the message")
                            + " was not acknowledged by topic '" + topic + "': " + ConnectionOptions.reason(e)
                            + (s == pending.peekLast() ? "" : "; whether the lines sent after it were published is "
                            + "not known"));
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.flush();
            err.flush();
            printing.unlock();
        }
    }
}
