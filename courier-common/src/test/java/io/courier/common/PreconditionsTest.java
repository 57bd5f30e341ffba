package io.courier.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PreconditionsTest {

    @Test
    void rangeCheckNamesTheValueAndTheBounds() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Preconditions.requireInRange(12, 1, 9, "brokers"));
        assertThat(e).hasMessage("brokers must be between 1 and 9, but was 12");
    }

    @Test
    void rangeCheckReturnsAValueInside() {
        assertThat(Preconditions.requireInRange(3, 1, 9, "brokers")).isEqualTo(3);
    }

    @Test
    void stateCheckThrowsIllegalStateWithTheFormattedMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Preconditions.requireState(false, "node %d is %s", 2, "stopped"));
        assertThat(e).hasMessage("node 2 is stopped");
    }

    @Test
    void retriableExceptionIsACourierException() {
        assertThat(new CourierRetriableException("broker not reachable")).isInstanceOf(CourierException.class);
    }
}
