package io.courier.core;

import java.time.Instant;

/**
 * Where an acknowledged message was written. For {@link DeliveryGuarantee#AT_MOST_ONCE} the broker sends no
 * acknowledgement, so the offset is {@code -1}.
 *
 * @param topic     the topic
 * @param partition the partition
 * @param offset    the offset, or -1 when unknown
 * @param timestamp the record timestamp
 * @param messageId the envelope's message id
 */
public record PublishResult(String topic, int partition, long offset, Instant timestamp, String messageId) {}
