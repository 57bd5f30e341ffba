package io.courier.core;

import java.time.Instant;

/** The test domain: a sealed hierarchy of records, as services declare their events. */
public sealed interface OrderEvent permits OrderEvent.OrderPlaced, OrderEvent.OrderCancelled {

    String orderId();

    /** An order was placed. */
    record OrderPlaced(String orderId, long amountCents, Instant placedAt) implements OrderEvent {}

    /** An order was cancelled. */
    record OrderCancelled(String orderId, String reason) implements OrderEvent {}
}
