package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterWriterTest {
    private static final byte[] BINARY_ENVELOPE = {0x10, 0x00, (byte) 0xff, 0x7f, 0x00};

    @Test
    void aDeadLetterKeepsTheOriginalRecordsHeaders() {
        RecordHeaders original = new RecordHeaders();
        original.add(new RecordHeader("courier", BINARY_ENVELOPE));
        original.add(new RecordHeader("tenant", "acme".getBytes(StandardCharsets.UTF_8)));
        original.add(new RecordHeader("tenant", "globex".getBytes(StandardCharsets.UTF_8)));
        original.add(new RecordHeader("empty", null));
        ConsumerRecord<byte[], byte[]> failed = failed(original);

        ProducerRecord<byte[], byte[]> dead = DeadLetterWriter.record("orders.dlt", "billing", failed,
                new IllegalStateException("database busy"), 3);

        assertThat(dead.topic()).isEqualTo("orders.dlt");
        assertThat(dead.key()).isEqualTo(failed.key());
        assertThat(dead.value()).isEqualTo(failed.value());
        assertThat(dead.headers().toArray()).as("the original headers first, in their order, byte for byte")
                .hasSizeGreaterThan(4).startsWith(original.toArray());
        assertThat(dead.headers().headers("tenant")).extracting(h -> new String(h.value(), StandardCharsets.UTF_8))
                .containsExactly("acme", "globex");
        assertThat(text(dead, DeadLetter.Headers.ORIGINAL_TOPIC)).isEqualTo("orders");
        assertThat(text(dead, DeadLetter.Headers.ORIGINAL_PARTITION)).isEqualTo("2");
        assertThat(text(dead, DeadLetter.Headers.ORIGINAL_OFFSET)).isEqualTo("17");
        assertThat(text(dead, DeadLetter.Headers.EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(text(dead, DeadLetter.Headers.EXCEPTION_MESSAGE)).isEqualTo("database busy");
        assertThat(text(dead, DeadLetter.Headers.ATTEMPTS)).isEqualTo("3");
        assertThat(text(dead, DeadLetter.Headers.GROUP)).isEqualTo("billing");
    }

    @Test
    void theExceptionMessageInADeadLetterIsCutAt2000Characters() {
        String exactly2000 = "x".repeat(1_999) + "y";
        String over = exactly2000 + "z";

        assertThat(messageHeaderFor(exactly2000)).as("2,000 characters fit").isEqualTo(exactly2000);
        assertThat(messageHeaderFor(over)).as("the 2,001st is cut, and the cut marked")
                .isEqualTo(exactly2000 + "...").hasSize(2_003);
        assertThat(messageHeaderFor("x".repeat(100_000))).isEqualTo("x".repeat(2_000) + "...");
    }

    private static String messageHeaderFor(String message) {
        ProducerRecord<byte[], byte[]> dead = DeadLetterWriter.record("orders.dlt", "billing",
                failed(new RecordHeaders()), new IllegalStateException(message), 1);
        return text(dead, DeadLetter.Headers.EXCEPTION_MESSAGE);
    }

    private static ConsumerRecord<byte[], byte[]> failed(RecordHeaders headers) {
        return new ConsumerRecord<>("orders", 2, 17, 1_764_012_345_678L, TimestampType.CREATE_TIME, 1, 5,
                "k".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8), headers,
                Optional.empty());
    }

    private static String text(ProducerRecord<byte[], byte[]> r, String name) {
        Header last = r.headers().lastHeader(name);
        assertThat(r.headers().headers(name)).as("one %s header", name).hasSize(1);
        return new String(last.value(), StandardCharsets.UTF_8);
    }
}
