package io.courier.eventsourcing.internal;

import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.Decision;

/** Test fixture: a counter, the aggregate the unit tests of this package run commands and events through. */
final class Counters {
    record Counter(long count) {}

    record Add(long n) {}

    record Added(long n) {}

    /** Accepts every {@code Add} as an {@code Added} of the same amount, and adds it up. */
    static final Aggregate<Counter, Add, Added> COUNTERS = builder().build();

    private Counters() {}

    /** @return a builder of {@link #COUNTERS}, for a test that changes a part of it */
    static Aggregate.Builder<Counter, Add, Added> builder() {
        return Aggregate.builder("counter", Counter.class, Add.class, Added.class)
                .decide((state, add) -> Decision.accept(new Added(add.n())))
                .evolve((state, added) -> new Counter((state == null ? 0 : state.count()) + added.n()));
    }
}
