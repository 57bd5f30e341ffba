package io.courier.core;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;

/**
 * A record read from a dead-letter topic, with why it is there. The key and value are the original bytes.
 *
 * @param originalTopic     where it was consumed from
 * @param originalPartition its partition there
 * @param originalOffset    its offset there
 * @param exceptionClass    the class of the last failure
 * @param exceptionMessage  the message of the last failure
 * @param attempts          how many attempts were made
 * @param key               the original key bytes, or {@code null}
 * @param value             the original value bytes, or {@code null}
 * @param headers           the original headers (envelope included) in their order, without the dead-letter
 *                          headers: a replay writes them back unchanged, binary values, repeated names and
 *                          {@code null} values included; an unmodifiable copy of the list (no {@code null}
 *                          elements), whose headers share their value arrays with the record
 */
public record DeadLetter(String originalTopic, int originalPartition, long originalOffset, String exceptionClass,
        String exceptionMessage, int attempts, byte[] key, byte[] value, List<Header> headers) {

    /** Header names written on dead-letter records. */
    public static final class Headers {
        public static final String ORIGINAL_TOPIC = "courier_dlt_original_topic";
        public static final String ORIGINAL_PARTITION = "courier_dlt_original_partition";
        public static final String ORIGINAL_OFFSET = "courier_dlt_original_offset";
        public static final String EXCEPTION_CLASS = "courier_dlt_exception_class";
        public static final String EXCEPTION_MESSAGE = "courier_dlt_exception_message";
        public static final String ATTEMPTS = "courier_dlt_attempts";
        public static final String GROUP = "courier_dlt_group";
        /** Set on a record that a replay put back on its topic: the dead-letter topic and offset it came from. */
        public static final String REPLAYED_FROM = "courier_replayed_from";

        private Headers() {}
    }

    public DeadLetter {
        headers = List.copyOf(headers);
    }

    /** @param newValue corrected value bytes @return a copy with the value replaced, for a replay that fixes it */
    public DeadLetter withValue(byte[] newValue) {
        return new DeadLetter(originalTopic, originalPartition, originalOffset, exceptionClass, exceptionMessage,
                attempts, key, newValue, headers);
    }

    /** @return the value as UTF-8 text, if there is one */
    public Optional<String> valueAsText() {
        return Optional.ofNullable(value).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    /**
     * @param name a header name
     * @return the last original header of that name, decoded as UTF-8 (malformed bytes replaced); empty if there is
     *     none or its value is {@code null}
     */
    public Optional<String> headerAsText(String name) {
        Optional<String> last = Optional.empty();
        for (Header h : headers) {
            if (h.key().equals(name)) {
                last = Optional.ofNullable(h.value()).map(v -> new String(v, StandardCharsets.UTF_8));
            }
        }
        return last;
    }
}
