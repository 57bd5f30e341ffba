package io.courier.cluster.internal;

/** JAAS configuration strings for Kafka's SASL login modules. */
final class Jaas {
    private Jaas() {}

    static String scram(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
