package io.courier.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.bench.Client;
import io.courier.core.Courier;
import io.courier.core.PublisherOptions;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** How a benchmark producer groups its sends into transactions (docs/benchmarks.md, {@code --guarantee}). */
class SenderTest {
    private static final Topic<String, byte[]> TOPIC = Topic.of("bench", Serdes.string(), Serdes.bytes());

    @Test
    void exactlyOnceCommitsATransactionPerHundredMessagesAndTheRestOnFlush() {
        RecordingCourier courier = new RecordingCourier();
        AtomicInteger acks = new AtomicInteger();
        Workload w = Workload.builder().set("guarantee", "exactly-once").build();

        try (Sender sender = Sender.create(Client.COURIER, w, courier.courier, TOPIC, Map.of(), "bench-1-0")) {
            for (int i = 0; i < 250; i++) {
                sender.send("k" + i, new byte[16], error -> acks.incrementAndGet());
            }
            assertThat(courier.transactions).as("messages per committed transaction, while sending")
                    .containsExactly(100, 100);
            assertThat(acks).as("the 50 of the open transaction are not sent yet").hasValue(200);

            sender.flush();
        }

        assertThat(courier.transactions).as("messages per committed transaction, after the flush")
                .containsExactly(100, 100, 50);
        assertThat(courier.sendsOutsideTransactions).isZero();
        assertThat(acks).hasValue(250);
        assertThat(courier.options.transactionalId()).contains("bench-1-0");
    }

    @Test
    void withoutExactlyOnceEveryMessageIsSentAtOnceOutsideATransaction() {
        RecordingCourier courier = new RecordingCourier();
        AtomicInteger acks = new AtomicInteger();

        try (Sender sender = Sender.create(Client.COURIER, Workload.builder().build(), courier.courier, TOPIC,
                Map.of(), "bench-1-0")) {
            for (int i = 0; i < 250; i++) {
                sender.send("k" + i, new byte[16], error -> acks.incrementAndGet());
            }
            assertThat(acks).hasValue(250);
        }

        assertThat(courier.transactions).isEmpty();
        assertThat(courier.sendsOutsideTransactions).isEqualTo(250);
        assertThat(courier.options.transactionalId()).isEmpty();
    }

    /**
     * A {@link Courier} whose one publisher records the sends made inside each {@code inTransaction} call, that is
     * each committed transaction, and those made outside any. Acknowledges every send at once; any call the
     * {@link Sender} is not expected to make fails.
     */
    private static final class RecordingCourier {
        final List<Integer> transactions = new ArrayList<>();
        int sendsOutsideTransactions;
        PublisherOptions options;
        private Integer open;

        final Courier courier = proxy(Courier.class, (self, method, args) -> {
            if (!method.getName().equals("publisher") || args.length != 2) {
                throw new UnsupportedOperationException(method.toString());
            }
            options = (PublisherOptions) args[1];
            return proxy(io.courier.core.Publisher.class, this::publisherCall);
        });

        @SuppressWarnings("unchecked")
        private Object publisherCall(Object publisher, Method method, Object[] args) {
            switch (method.getName()) {
                case "publish" -> {
                    if (open == null) {
                        sendsOutsideTransactions++;
                    } else {
                        open++;
                    }
                    return CompletableFuture.completedFuture(null);
                }
                case "inTransaction" -> {
                    open = 0;
                    ((Consumer<Object>) args[0]).accept(publisher);
                    transactions.add(open);
                    open = null;
                    return null;
                }
                case "flush", "close" -> {
                    return null;
                }
                default -> throw new UnsupportedOperationException(method.toString());
            }
        }

        private static <T> T proxy(Class<T> type, InvocationHandler handler) {
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
        }
    }
}
