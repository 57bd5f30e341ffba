package io.courier.eventsourcing;

import java.util.Objects;

/**
 * Where one appended event lives in the event store: its topic, partition and offset. A command's acceptance lists
 * one per event, and a projection can be asked to wait until it has read past them (read-your-writes).
 *
 * @param topic     the aggregate type's events topic
 * @param partition the partition, the aggregate's (events are keyed by aggregate id)
 * @param offset    the event's offset in that partition
 */
public record EventOffset(String topic, int partition, long offset) {
    public EventOffset {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("an event offset needs a partition and offset >= 0, got "
                    + topic + "-" + partition + "@" + offset);
        }
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
