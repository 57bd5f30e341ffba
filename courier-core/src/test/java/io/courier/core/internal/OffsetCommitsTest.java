package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.Test;

/** Commits that fail and are kept for the next one, on a consumer that refuses commits on demand. */
class OffsetCommitsTest {
    private static final TopicPartition P = new TopicPartition("orders", 0);

    private boolean refuse;
    private final RecordingConsumer consumer = new RecordingConsumer() {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (refuse) {
                throw new RebalanceInProgressException("a rebalance is under way");
            }
            super.commitSync(offsets);
        }
    };
    private final OffsetCommits commits = new OffsetCommits("w", consumer);

    @Test
    void aFailedCommitAheadOfAPollKeepsTheEarlierCommitBackToARetriedRecord() {
        refuse = true;
        assertThat(commits.commit(Map.of(P, new OffsetAndMetadata(5)))).as("an at-most-once retry's commit back")
                .isFalse();

        assertThat(commits.commitAhead(Map.of(P, new OffsetAndMetadata(10)))).isFalse();

        refuse = false;
        commits.commitLeftovers();
        assertThat(consumer.commits).as("records 5 to 9 are not skipped").containsEntry(P, new OffsetAndMetadata(5));
    }

    @Test
    void aFailedCommitAheadOfAPollWithNothingPendingLeavesNothingToCommit() {
        refuse = true;
        assertThat(commits.commitAhead(Map.of(P, new OffsetAndMetadata(10)))).isFalse();

        refuse = false;
        commits.commitLeftovers();
        assertThat(consumer.commits).as("the poll is consumed again instead").isEmpty();
    }
}
