package io.courier.bench;

/** Which client a round runs through. */
public enum Client {
    /** Plain kafka-clients: KafkaProducer and KafkaConsumer, no Courier code on the path. */
    RAW,
    /** Courier's Publisher and Subscriber with the same Kafka settings. */
    COURIER
}
