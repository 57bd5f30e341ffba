package io.courier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandlersTest {
    private final List<String> calls = new ArrayList<>();

    private MessageHandler<String, OrderEvent> recording(String name) {
        return (m, c) -> calls.add(name);
    }

    @Test
    void dispatchesByExactTypeThenSupertypeThenFallback() throws Exception {
        Handlers<String, OrderEvent> handlers = Handlers.<String, OrderEvent>builder()
                .on(OrderEvent.OrderPlaced.class, (m, c) -> calls.add("placed"))
                .otherwise(recording("fallback"))
                .build();
        OrderEvent placed = new OrderEvent.OrderPlaced("o", 1, Instant.EPOCH);
        OrderEvent cancelled = new OrderEvent.OrderCancelled("o", "r");
        handlers.find(placed).orElseThrow().handle(null, null);
        handlers.find(cancelled).orElseThrow().handle(null, null);
        handlers.find(null).orElseThrow().handle(null, null);
        assertThat(calls).containsExactly("placed", "fallback", "fallback");
    }

    @Test
    void aSupertypeHandlerAcceptsEverySubtype() {
        Handlers<String, OrderEvent> handlers = Handlers.<String, OrderEvent>builder()
                .on(OrderEvent.class, recording("any"))
                .build();
        assertThat(handlers.find(new OrderEvent.OrderCancelled("o", "r"))).isPresent();
        assertThat(handlers.find(null)).as("tombstones need a fallback").isEmpty();
    }

    @Test
    void withoutAMatchingHandlerNothingIsFound() {
        Handlers<String, OrderEvent> handlers = Handlers.<String, OrderEvent>builder()
                .on(OrderEvent.OrderPlaced.class, (m, c) -> {})
                .build();
        assertThat(handlers.find(new OrderEvent.OrderCancelled("o", "r"))).isEmpty();
    }

    @Test
    void rejectsTwoHandlersForOneTypeAndAnEmptySet() {
        Handlers.Builder<String, OrderEvent> builder = Handlers.<String, OrderEvent>builder()
                .on(OrderEvent.OrderPlaced.class, (m, c) -> {});
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> builder.on(OrderEvent.OrderPlaced.class, (m, c) -> {}));
        assertThat(twice).hasMessage("message type io.courier.core.OrderEvent$OrderPlaced has a handler already");
        assertThat(assertThrows(IllegalArgumentException.class, () -> Handlers.<String, String>builder().build()))
                .hasMessage("a subscriber needs at least one handler");
    }
}
