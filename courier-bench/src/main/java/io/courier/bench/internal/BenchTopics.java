package io.courier.bench.internal;

import io.courier.common.CourierException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Deletes the topics a benchmark run created: left behind, a run's gigabytes and random names would pile up. */
public final class BenchTopics {
    private BenchTopics() {}

    /**
     * Deletes {@code names} in one admin call and waits for each deletion, so that it does not overlap the next
     * run. A topic that does not exist is skipped: a dead-letter topic no subscriber created, or a topic of a round
     * that failed before it created it.
     *
     * @param admin            the run's admin client
     * @param names            the topics
     * @param bootstrapServers the cluster, for the error message
     * @throws CourierException naming the first topic that could not be deleted (the others' failures suppressed)
     */
    public static void delete(Admin admin, Collection<String> names, String bootstrapServers) {
        CourierException failure = null;
        for (Map.Entry<String, KafkaFuture<Void>> deletion : admin.deleteTopics(names).topicNameValues().entrySet()) {
            try {
                deletion.getValue().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    failure = first(failure, deletion.getKey(), bootstrapServers, e.getCause());
                }
            } catch (TimeoutException e) {
                failure = first(failure, deletion.getKey(), bootstrapServers, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CourierException("interrupted while deleting benchmark topic '" + deletion.getKey()
                        + "' at " + bootstrapServers, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        awaitGone(admin, names);
    }

    /**
     * The controller has deleted them; the brokers' metadata follows a moment later, and until then a broker still
     * lists them. Waits for that, at most 30 s in all. The deletions themselves succeeded, so a listing that fails or
     * takes longer ends the wait rather than failing a run that went well.
     */
    private static void awaitGone(Admin admin, Collection<String> names) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            for (long left; (left = deadline - System.nanoTime()) > 0; Thread.sleep(50)) {
                if (admin.listTopics().names().get(left, TimeUnit.NANOSECONDS).stream().noneMatch(names::contains)) {
                    return;
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            // see above
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code run}, then {@code delete}, also when the run failed; a failure of the delete after a failed run is
     * suppressed onto the run's.
     *
     * @return what {@code run} returned
     */
    public static <T> T runThenDelete(java.util.function.Supplier<T> run, Runnable delete) {
        T result;
        try {
            result = run.get();
        } catch (RuntimeException | Error e) {
            try {
                delete.run();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        delete.run();
        return result;
    }

    private static CourierException first(CourierException failure, String topic, String bootstrapServers,
            Throwable cause) {
        CourierException e = new CourierException("cannot delete benchmark topic '" + topic + "' at "
                + bootstrapServers + ": " + cause, cause);
        if (failure == null) {
            return e;
        }
        failure.addSuppressed(e);
        return failure;
    }
}
