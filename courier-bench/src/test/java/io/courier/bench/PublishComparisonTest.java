package io.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ratio statistics of {@code compare-publish}, without a broker. */
class PublishComparisonTest {

    @Test
    void theIntervalComesFromTheSpreadOfThePairRatiosOnALogScale() {
        PublishComparison.Interval i = PublishComparison.Interval.of(List.of(0.8, 0.9, 1.0, 1.1));
        // logs: mean -0.0417, sample sd 0.1376; t(3) = 3.182; exp(mean -/+ t * sd / sqrt(4))
        assertThat(i.low()).isCloseTo(0.7585, offset(1e-4));
        assertThat(i.high()).isCloseTo(1.1733, offset(1e-4));
        assertThat(i.pairs()).isEqualTo(4);
    }

    @Test
    void identicalRatiosGiveAPointAndOneRatioGivesNoInterval() {
        PublishComparison.Interval same = PublishComparison.Interval.of(List.of(0.95, 0.95, 0.95));
        assertThat(same.low()).isCloseTo(0.95, offset(1e-12));
        assertThat(same.high()).isCloseTo(0.95, offset(1e-12));
        assertThat(PublishComparison.Interval.of(List.of(0.9))).isNull();
    }

    @Test
    void usesStudentsTForFewPairsAndTheNormalQuantileForMany() {
        assertThat(PublishComparison.tCritical(1)).isEqualTo(12.706);
        assertThat(PublishComparison.tCritical(7)).isEqualTo(2.365);
        assertThat(PublishComparison.tCritical(30)).isEqualTo(2.042);
        assertThat(PublishComparison.tCritical(31)).isEqualTo(1.96);
    }

    @Test
    void slicesAddUpToTheRecordsAndTheClientsTakeTurnsGoingFirst() {
        assertThat(PublishComparison.sliceSizes(1_000_000, 10)).containsOnly(100_000);
        assertThat(PublishComparison.sliceSizes(10, 4)).containsExactly(3, 3, 2, 2);
        assertThat(PublishComparison.sliceSizes(7, 1)).containsExactly(7);
        // A B, B A, A B: each client follows the other as often as it leads
        assertThat(List.of(0, 1, 2, 3)).flatExtracting(i -> PublishComparison.sliceOrder(i, true)).containsExactly(
                Client.RAW, Client.COURIER, Client.COURIER, Client.RAW, Client.RAW, Client.COURIER, Client.COURIER, Client.RAW);
        assertThat(PublishComparison.sliceOrder(0, false)).containsExactly(Client.COURIER, Client.RAW);
        assertThat(PublishComparison.sliceOrder(1, false)).containsExactly(Client.RAW, Client.COURIER);
    }
}
