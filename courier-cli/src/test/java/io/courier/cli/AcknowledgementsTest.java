package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.PublishResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AcknowledgementsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static PublishResult offset(long offset) {
        return new PublishResult("orders", 0, offset, Instant.EPOCH, "id-" + offset);
    }

    @Test
    void aShutdownPrintsWhatWasAcknowledgedAndNamesTheLinesNotAcknowledgedWithinTheStopWait() {
        assertThat(Acknowledgements.STOP_WAIT).as("docs/cli.md: up to 10 s").isEqualTo(Duration.ofSeconds(10));
        Acknowledgements acks = new Acknowledgements("orders", new PrintWriter(out, true), new PrintWriter(err, true),
                true, Duration.ofMillis(300));
        CompletableFuture<PublishResult> second = new CompletableFuture<>();

        assertThat(acks.send(() -> CompletableFuture.completedFuture(offset(41)), true, 1_000)).isTrue();
        assertThat(acks.send(() -> second, true, 1_000)).isTrue();
        assertThat(acks.send(CompletableFuture::new, true, 1_000)).isTrue(); // never acknowledged
        assertThat(acks.send(CompletableFuture::new, true, 1_000)).isTrue(); // never acknowledged
        second.complete(offset(42));
        acks.finishOnShutdown();

        assertThat(out.toString()).as("the offsets of the acknowledged lines, in input order")
                .isEqualTo("orders-0@41" + System.lineSeparator() + "orders-0@42" + System.lineSeparator());
        assertThat(err.toString()).as("one line naming the unconfirmed lines and the wait, written as 300ms")
                .isEqualTo("stopped: lines 3 to 4 were sent to topic 'orders' but not acknowledged within 300ms; "
                        + "whether they were published is not known" + System.lineSeparator());
    }
}
