package io.courier.core;

import java.util.List;

/**
 * What a replay of dead letters did.
 *
 * @param replayed        records republished to their original topics
 * @param skipped         records the correction chose to skip (their dead-letter offsets are committed all the same)
 * @param unreadable      records that are not Courier dead letters (no original-topic header, a malformed dead-letter
 *                        header, an illegal or internal original topic): left in the dead-letter topic, reported, and
 *                        moved past so that they do not stop every replay; the replay group does not see them again
 * @param firstUnreadable why the first {@value #MAX_LISTED} of them could not be read, each naming its
 *                        {@code topic-partition@offset}
 */
public record ReplayResult(long replayed, long skipped, long unreadable, List<String> firstUnreadable) {
    /** How many unreadable records a result names; it counts them all. */
    public static final int MAX_LISTED = 10;

    public ReplayResult {
        firstUnreadable = List.copyOf(firstUnreadable);
    }

    /** A result without unreadable records. */
    public ReplayResult(long replayed, long skipped) {
        this(replayed, skipped, 0, List.of());
    }
}
