package io.courier.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import io.courier.core.CourierConfig;
import io.courier.core.DeliveryGuarantee;
import io.courier.core.PublisherOptions;
import io.courier.core.RetryPolicy;
import io.courier.core.SubscriberOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start-up check: each contradiction fails with a message that names the setting and the guarantee. */
class DeliveryCheckTest {
    private final CourierConfig config = CourierConfig.builder("localhost:9092").serviceName("svc").build();

    private String publisherError(PublisherOptions o) {
        return assertThrows(CourierException.class, () -> ClientConfigs.publisher(config, "orders", o)).getMessage();
    }

    private String subscriberError(SubscriberOptions o) {
        return assertThrows(CourierException.class, () -> ClientConfigs.subscriber(config, "orders", o, "i", 0)).getMessage();
    }

    @Test
    void acksZeroContradictsAtLeastOnce() {
        assertThat(publisherError(PublisherOptions.builder().producerProperty("acks", "0").build()))
                .isEqualTo("contradictory delivery settings for the publisher of topic 'orders': acks=0 contradicts "
                        + "AT_LEAST_ONCE: only acks=all waits for the in-sync replicas, so a leader failure can lose "
                        + "an acknowledged message, and with acks=0 the producer never learns whether it arrived; use "
                        + "acks=all, or choose AT_MOST_ONCE");
    }

    @Test
    void acksOneContradictsExactlyOnce() {
        assertThat(publisherError(PublisherOptions.builder().guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .producerProperty("acks", "1").build())).contains("acks=1 contradicts EXACTLY_ONCE: only acks=all "
                        + "waits for the in-sync replicas, so a leader failure can lose an acknowledged message; use "
                        + "acks=all").doesNotContain("acks=0");
    }

    @Test
    void retriesContradictAtMostOnce() {
        assertThat(publisherError(PublisherOptions.builder().guarantee(DeliveryGuarantee.AT_MOST_ONCE)
                .producerProperty("retries", "3").build())).isEqualTo("contradictory delivery settings for the "
                        + "publisher of topic 'orders': retries=3 contradicts AT_MOST_ONCE: a retried send can write a "
                        + "message twice; use retries=0");
    }

    @Test
    void disabledIdempotenceContradictsExactlyOnce() {
        assertThat(publisherError(PublisherOptions.builder().guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .producerProperty("enable.idempotence", "false").build()))
                .isEqualTo("contradictory delivery settings for the publisher of topic 'orders': "
                        + "enable.idempotence=false contradicts EXACTLY_ONCE: transactions need the idempotent producer");
    }

    @Test
    void disabledIdempotenceContradictsAtLeastOnce() {
        assertThat(publisherError(PublisherOptions.builder().producerProperty("enable.idempotence", "false").build()))
                .isEqualTo("contradictory delivery settings for the publisher of topic 'orders': "
                        + "enable.idempotence=false contradicts AT_LEAST_ONCE: a retried send can then be written "
                        + "twice and land behind later messages of its key; keep the idempotent producer");
    }

    @Test
    void aSettingThatIsNotANumberIsNamedWithItsValue() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> ClientConfigs.publisher(config, "orders",
                PublisherOptions.builder().producerProperty("retries", "many").build())))
                .hasMessage("Kafka client setting retries='many' is not a whole number");
        assertThat(assertThrows(IllegalArgumentException.class, () -> ClientConfigs.subscriber(config, "orders",
                SubscriberOptions.builder("g").consumerProperty("max.poll.interval.ms", "5 min").build(), "i", 0)))
                .hasMessage("Kafka client setting max.poll.interval.ms='5 min' is not a whole number");
    }

    @Test
    void eachThreadIsItsOwnStaticMemberAndAChosenTransactionTimeoutIsKept() {
        SubscriberOptions o = SubscriberOptions.builder("g").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .consumerProperty("group.instance.id", "billing-a").build();
        CourierConfig slow = CourierConfig.builder("localhost:9092").clientProperty("transaction.timeout.ms", "120000")
                .build();

        assertThat(ClientConfigs.subscriber(config, "orders", o, "i", 0)).containsEntry("group.instance.id", "billing-a-0");
        assertThat(ClientConfigs.subscriber(config, "orders", o, "i", 1)).containsEntry("group.instance.id", "billing-a-1");
        CourierConfig everyClient = CourierConfig.builder("localhost:9092").clientProperty("group.instance.id", "pod-7")
                .build();
        assertThat(ClientConfigs.subscriber(everyClient, "orders", SubscriberOptions.builder("g").build(), "i", 1))
                .as("set for every client of the service").containsEntry("group.instance.id", "pod-7-1");
        assertThat(ClientConfigs.subscriberProducer(config, "orders", o, "i", 0))
                .containsEntry("transaction.timeout.ms", "30000");
        assertThat(ClientConfigs.subscriberProducer(slow, "orders", o, "i", 0))
                .containsEntry("transaction.timeout.ms", "120000");
    }

    @Test
    void autoCommitContradictsExactlyOnce() {
        assertThat(subscriberError(SubscriberOptions.builder("billing").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .consumerProperty("enable.auto.commit", "true").build()))
                .isEqualTo("contradictory delivery settings for the subscriber 'billing' of topic 'orders': "
                        + "enable.auto.commit=true contradicts EXACTLY_ONCE: the consumed offsets must be committed "
                        + "in the producer's transaction");
    }

    @Test
    void autoCommitContradictsEveryGuaranteeHoweverItIsSpelled() {
        for (DeliveryGuarantee g : DeliveryGuarantee.values()) {
            assertThat(subscriberError(SubscriberOptions.builder("billing").guarantee(g)
                    .consumerProperty("enable.auto.commit", " TRUE ").build()))
                    .contains("enable.auto.commit=true contradicts " + g);
        }
    }

    @Test
    void aTransactionalIdContradictsTheGuaranteesWithoutTransactions() {
        for (DeliveryGuarantee g : List.of(DeliveryGuarantee.AT_MOST_ONCE, DeliveryGuarantee.AT_LEAST_ONCE)) {
            PublisherOptions.Builder b = PublisherOptions.builder().guarantee(g).producerProperty("transactional.id", "t-1");
            if (g == DeliveryGuarantee.AT_MOST_ONCE) {
                b.producerProperty("acks", "0");
            }
            assertThat(publisherError(b.build())).isEqualTo("contradictory delivery settings for the publisher of "
                    + "topic 'orders': transactional.id=t-1 contradicts " + g + ": a transactional producer sends only "
                    + "inside transactions; choose EXACTLY_ONCE, or remove transactional.id");
        }
    }

    @Test
    void readUncommittedContradictsATransactionalFlow() {
        assertThat(subscriberError(SubscriberOptions.builder("billing").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .consumerProperty("isolation.level", "read_uncommitted").build()))
                .isEqualTo("contradictory delivery settings for the subscriber 'billing' of topic 'orders': "
                        + "isolation.level=read_uncommitted contradicts EXACTLY_ONCE: the subscriber would handle "
                        + "records of aborted transactions; use read_committed");
    }

    @Test
    void aPollIntervalShorterThanTheRetryBudgetIsRefused() {
        RetryPolicy retry = new RetryPolicy(4, Duration.ofSeconds(1), 2, Duration.ofSeconds(10), List.of());
        assertThat(subscriberError(SubscriberOptions.builder("billing").retry(retry)
                .consumerProperty("max.poll.interval.ms", "5000").build()))
                .isEqualTo("contradictory delivery settings for the subscriber 'billing' of topic 'orders': "
                        + "max.poll.interval.ms=5000 is not longer than the retry budget of 7000 ms (4 attempts): one "
                        + "message's retries would hold its partition longer than Kafka lets a consumer go without "
                        + "progress; raise max.poll.interval.ms or shorten the retries");
    }

    @Test
    void eachGuaranteeGetsItsProducerSettings() {
        Map<String, Object> amo = ClientConfigs.publisher(config, "t",
                PublisherOptions.builder().guarantee(DeliveryGuarantee.AT_MOST_ONCE).build());
        assertThat(amo).containsEntry("acks", "0").containsEntry("retries", "0").containsEntry("enable.idempotence", "false");
        Map<String, Object> alo = ClientConfigs.publisher(config, "t", PublisherOptions.defaults());
        assertThat(alo).containsEntry("acks", "all").containsEntry("enable.idempotence", "true").doesNotContainKey("transactional.id");
        Map<String, Object> eos = ClientConfigs.publisher(config, "t", PublisherOptions.builder()
                .guarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalId("svc-tx-1").build());
        assertThat(eos).containsEntry("acks", "all").containsEntry("transactional.id", "svc-tx-1");
        for (DeliveryGuarantee g : DeliveryGuarantee.values()) { // no guarantee hands a handler aborted records
            Map<String, Object> sub = ClientConfigs.subscriber(config, "t", SubscriberOptions.builder("g").guarantee(g)
                    .build(), "i", 0);
            assertThat(sub).as(g.name()).containsEntry("enable.auto.commit", "false")
                    .containsEntry("isolation.level", "read_committed");
        }
    }
}
