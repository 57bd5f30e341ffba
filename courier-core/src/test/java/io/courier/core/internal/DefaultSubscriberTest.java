package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The subscriber's life cycle, without a broker. */
class DefaultSubscriberTest {
    @Test
    void aClosedSubscriberCannotBeStartedSinceNothingWouldStopItsThreads() {
        DefaultSubscriber subscriber = new DefaultSubscriber("subscriber 'billing' of topic 'orders'", 2, i -> {
            throw new AssertionError("no worker may be created after close");
        });
        subscriber.close();

        IllegalStateException e = assertThrows(IllegalStateException.class, subscriber::start);

        assertThat(e).hasMessage("subscriber 'billing' of topic 'orders' is closed");
        assertThat(subscriber.isRunning()).isFalse();
    }
}
