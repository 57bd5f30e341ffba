package io.courier.bench.es;

import io.courier.common.CourierException;
import io.courier.common.Durations;
import io.courier.eventsourcing.EventOffset;
import io.courier.eventsourcing.Projection;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Read-your-writes lag: from each acceptance until a projection has read past its events' offsets. One thread
 * watches the projection's positions for every acceptance, so the measure does not include time spent queueing
 * for a waiting thread.
 */
final class LagWatch {
    private record Pending(List<EventOffset> offsets, long acceptedAt) {}

    private final Projection<?> projection;
    private final Histogram micros;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean finishing;
    private volatile Throwable failure;

    private LagWatch(Projection<?> projection, Histogram micros) {
        this.projection = projection;
        this.micros = micros;
        this.thread = new Thread(this::run, "bench-es-lag");
        thread.setDaemon(true);
    }

    static LagWatch start(Projection<?> projection, Histogram micros) {
        LagWatch w = new LagWatch(projection, micros);
        w.thread.start();
        return w;
    }

    /** @param offsets an acceptance's offsets, watched from now */
    void watch(List<EventOffset> offsets) {
        pending.add(new Pending(offsets, System.nanoTime()));
    }

    private void run() {
        try {
            while (!(finishing && pending.isEmpty())) {
                Map<Integer, Long> positions = projection.positions();
                long now = System.nanoTime();
                for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                    Pending p = it.next();
                    if (p.offsets().stream().allMatch(o -> positions.getOrDefault(o.partition(), -1L) >= o.offset())) {
                        it.remove();
                        // Watched after 'now' and already read: the projection was there before the acceptance.
                        long lag = Math.max(0, now - p.acceptedAt()) / 1_000;
                        synchronized (micros) {
                            micros.recordValue(Math.min(lag, micros.getHighestTrackableValue()));
                        }
                    }
                }
                LockSupport.parkNanos(200_000);
            }
        } catch (RuntimeException | Error e) {
            failure = e; // reported by finish(): a dead watcher must not pass for a finished one
        }
    }

    /** Waits until every watched acceptance has been seen by the projection. */
    void finish(Duration timeout) {
        finishing = true;
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new CourierException("the read-your-writes lag watcher failed: " + failure, failure);
        }
        if (thread.isAlive()) {
            throw new CourierException("the projection did not read " + pending.size()
                    + " accepted commands' events within " + Durations.format(timeout));
        }
    }
}
