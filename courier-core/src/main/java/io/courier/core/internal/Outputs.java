package io.courier.core.internal;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The acknowledgements of one batch's output (follow-ups and dead letters), in the order they were sent, and which
 * one failed first. Once a send fails, Kafka fails the sends queued behind it with the same error, so the first
 * failure to complete, not the first in the list, names the message at fault. Handlers add from the consumer
 * thread; the producer's I/O thread completes the futures.
 */
final class Outputs extends AbstractList<CompletableFuture<?>> {
    private final List<CompletableFuture<?>> sent = new ArrayList<>();
    /** Failed futures in the order their failures completed; may hold forgotten ones. */
    private final Queue<CompletableFuture<?>> failed = new ConcurrentLinkedQueue<>();

    @Override
    public boolean add(CompletableFuture<?> f) {
        sent.add(f);
        f.whenComplete((v, e) -> {
            if (e != null) {
                failed.add(f);
            }
        });
        return true;
    }

    @Override
    public CompletableFuture<?> get(int index) {
        return sent.get(index);
    }

    @Override
    public int size() {
        return sent.size();
    }

    /** Forgets the output sent from {@code size} on: that of an attempt that failed and will be made again. */
    void truncate(int size) {
        sent.subList(size, sent.size()).clear();
    }

    /** @return the index of the output whose failure completed first, or -1 if none failed (so far) */
    int firstFailure() {
        Map<CompletableFuture<?>, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < sent.size(); i++) {
            index.putIfAbsent(sent.get(i), i);
        }
        for (CompletableFuture<?> f : failed) {
            Integer i = index.get(f);
            if (i != null) {
                return i;
            }
        }
        return -1;
    }
}
