package io.courier.eventsourcing.internal;

import static io.courier.eventsourcing.internal.Counters.COUNTERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.core.Courier;
import io.courier.core.Subscriber;
import io.courier.eventsourcing.Projection;
import io.courier.eventsourcing.ReadModelStore;
import io.courier.eventsourcing.internal.Counters.Added;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A projection's lifecycle, on a subscriber that delivers nothing: no broker. */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a guard: a query that is not woken would wait an hour
class SubscriberProjectionTest {

    /** Subscribers made so far; the ones after {@code working} fail to start. */
    private final AtomicInteger subscribers = new AtomicInteger();
    private int working = Integer.MAX_VALUE;

    private Courier courier() {
        Subscriber idle = (Subscriber) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Subscriber.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "start" -> proxy;
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Admin admin = (Admin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Admin.class},
                (proxy, method, args) -> null); // deleting a group is best effort: its result is not looked at
        return (Courier) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Courier.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "subscriber" -> {
                        if (subscribers.incrementAndGet() > working) {
                            throw new CourierException("cannot reach the brokers");
                        }
                        yield idle;
                    }
                    case "admin" -> admin;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Projection<Long> projection() {
        return SubscriberProjection.start(courier(), COUNTERS, "counts",
                (Long current, String id, Added e) -> (current == null ? 0 : current) + e.n(),
                ReadModelStore.inMemory());
    }

    @Test
    void aQueryWaitingForAnEventFailsAtOnceWhenTheProjectionCloses() throws Exception {
        Projection<Long> counts = projection();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread waiting = new Thread(() -> {
            try {
                counts.get("c-1", 1, Duration.ofHours(1));
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        waiting.start();
        await().until(() -> waiting.getState() == Thread.State.TIMED_WAITING);

        counts.close();

        waiting.join();
        assertThat(failed.get()).isInstanceOf(CourierException.class).hasMessage("projection 'counts' is closed");
        assertThat(assertThrows(CourierException.class, () -> counts.awaitOffsets(java.util.List.of(), Duration.ZERO)))
                .as("offsets already reached: closed all the same").hasMessage("projection 'counts' is closed");
    }

    @Test
    void aProjectionWhoseResetCannotReadAgainFailsEveryQueryNamingTheCauseUntilAResetWorks() {
        Projection<Long> counts = projection();
        working = 1;

        CourierException reset = assertThrows(CourierException.class, counts::reset);

        assertThat(reset).hasMessage("cannot reach the brokers");
        for (Runnable query : new Runnable[] {() -> counts.get("c-1"), () -> counts.get("c-1", 1, Duration.ZERO),
                counts::all, () -> counts.version("c-1"), counts::positions}) {
            assertThat(assertThrows(CourierException.class, query::run))
                    .hasMessage("projection 'counts' serves nothing: a reset cleared it and could not read the "
                            + "events again (io.courier.common.CourierException: cannot reach the brokers); reset() "
                            + "it again")
                    .hasCause(reset);
        }
        working = Integer.MAX_VALUE;
        counts.reset();
        assertThat(counts.get("c-1")).isEmpty();
        counts.close();
    }
}
