package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.courier.core.PublishResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    @Test
    void aShutdownDuringASingleMessageSpeaksOfTheMessageNotOfLines() {
        Acknowledgements acks = new Acknowledgements("orders", new PrintWriter(out, true), new PrintWriter(err, true),
                false, Duration.ofMillis(100));

        assertThat(acks.send(CompletableFuture::new, true, 1_000)).isTrue(); // --value, never acknowledged
        acks.finishOnShutdown();

        assertThat(err.toString()).isEqualTo("stopped: the message was sent to topic 'orders' but not acknowledged "
                + "within 100ms; whether it was published is not known" + System.lineSeparator());
    }

    @Test
    void pipedInputRunsUpToAThousandLinesAheadOfThePrintedOffsets() throws Exception {
        // A private constant: read the way the compiler left it in PublishCommand.
        java.lang.reflect.Field field = PublishCommand.class.getDeclaredField("MAX_IN_FLIGHT");
        field.setAccessible(true);
        int maxInFlight = field.getInt(null);
        assertThat(maxInFlight).as("docs/cli.md: up to a thousand lines ahead").isEqualTo(1_000);

        Acknowledgements acks = new Acknowledgements("orders", new PrintWriter(out, true), new PrintWriter(err, true),
                true);
        CompletableFuture<PublishResult> first = new CompletableFuture<>();
        // More input ready each time, no acknowledgement yet: the sends run ahead without waiting, up to the limit.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(acks.send(() -> first, true, maxInFlight)).isTrue();
            for (int line = 2; line <= maxInFlight; line++) {
                assertThat(acks.send(CompletableFuture::new, true, maxInFlight)).isTrue();
            }
        }, "the first 1,000 lines are sent without waiting for an acknowledgement");
        assertThat(out.toString()).as("nothing acknowledged, nothing printed").isEmpty();

        // One more: it waits for the oldest acknowledgement, and prints it.
        CompletableFuture<Boolean> next = CompletableFuture.supplyAsync(
                () -> acks.send(CompletableFuture::new, true, maxInFlight));
        assertThatThrownBy(() -> next.get(200, TimeUnit.MILLISECONDS)).as("line 1,001 waits for line 1")
                .isInstanceOf(TimeoutException.class);
        first.complete(offset(0));
        assertThat(next.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out.toString()).isEqualTo("orders-0@0" + System.lineSeparator());
        assertThat(acks.sent()).isEqualTo(1_001);
    }
}
