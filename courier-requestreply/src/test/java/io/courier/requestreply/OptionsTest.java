package io.courier.requestreply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.core.DeliveryGuarantee;
import io.courier.core.PublisherOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void requesterOptionsDefaultTheGroupFromTheReplyTopicAndPublishWithoutLinger() {
        RequesterOptions o = RequesterOptions.builder("checkout.replies").build();
        assertThat(o.groupId()).isEqualTo("checkout.replies.requesters");
        assertThat(o.replyPartitions()).isEqualTo(12);
        assertThat(o.publisherOptions().linger()).isEqualTo(Duration.ZERO);
        assertThat(o.instanceId()).isEmpty();
    }

    @Test
    void badOptionsFailNamingTheValue() {
        assertThatThrownBy(() -> RequesterOptions.builder(" ").build()).hasMessageContaining("replyTopic");
        assertThatThrownBy(() -> RequesterOptions.builder("r").replyPartitions(0).build())
                .hasMessage("replyPartitions must be at least 1, but was 0");
        assertThatThrownBy(() -> RequesterOptions.builder("r").readyTimeout(Duration.ZERO).build())
                .hasMessage("readyTimeout must be positive, but was 0s");
        assertThatThrownBy(() -> RequesterOptions.builder("r").publisherOptions(PublisherOptions.builder()
                .guarantee(DeliveryGuarantee.EXACTLY_ONCE).build()).build())
                .hasMessageContaining("but was EXACTLY_ONCE");
        assertThatThrownBy(() -> ResponderOptions.builder("g").concurrency(0).build())
                .hasMessage("concurrency must be at least 1, but was 0");
        assertThatThrownBy(() -> ResponderOptions.builder("").build()).hasMessage("groupId must not be blank, but was ''");
    }

    @Test
    void aHandlingTimeoutNotShorterThanTheConsumersPollIntervalIsRefusedNamingBoth() {
        assertThatThrownBy(() -> ResponderOptions.builder("g").consumerProperty("max.poll.interval.ms", "30000")
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessage("handlingTimeout must be shorter "
                        + "than max.poll.interval.ms=30000, past which the group would evict this instance, but was 1m");
        assertThatThrownBy(() -> ResponderOptions.builder("g").handlingTimeout(Duration.ofMinutes(5)).build())
                .as("Kafka's default of 5 minutes when it is not set")
                .hasMessageContaining("max.poll.interval.ms=300000");
        assertThatThrownBy(() -> ResponderOptions.builder("g").consumerProperty("max.poll.interval.ms", "soon")
                .build()).hasMessage("max.poll.interval.ms must be a number of milliseconds, but was 'soon'");
        assertThat(ResponderOptions.builder("g").consumerProperty("max.poll.interval.ms", "30000")
                .handlingTimeout(Duration.ofSeconds(29)).build().handlingTimeout()).isEqualTo(Duration.ofSeconds(29));
    }
}
