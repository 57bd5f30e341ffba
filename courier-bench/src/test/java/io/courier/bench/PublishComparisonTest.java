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
    void usesStudentsTAndBeyondItsTableNeverLessThanTheTrueQuantile() {
        assertThat(PublishComparison.tCritical(1)).isEqualTo(12.706);
        assertThat(PublishComparison.tCritical(7)).isEqualTo(2.365);
        assertThat(PublishComparison.tCritical(30)).isEqualTo(2.042);
        // True quantiles: 2.040 at 31, 2.021 at 40, 2.000 at 60, 1.980 at 120, 1.960 at infinity.
        assertThat(PublishComparison.tCritical(31)).isEqualTo(2.042);
        assertThat(PublishComparison.tCritical(40)).isEqualTo(2.042);
        assertThat(PublishComparison.tCritical(41)).isEqualTo(2.021);
        assertThat(PublishComparison.tCritical(61)).isEqualTo(2.000);
        assertThat(PublishComparison.tCritical(121)).isEqualTo(1.980);
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
