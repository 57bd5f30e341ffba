package io.courier.cluster;

import static io.courier.common.Preconditions.requireArgument;

import java.util.Objects;

/**
 * How a secured embedded cluster authenticates: SCRAM-SHA-512 over SASL_PLAINTEXT or SASL_SSL, an admin user
 * seeded at format time and made a super user, and Kafka's {@code StandardAuthorizer} with no access for anyone
 * else until ACLs grant it. With SASL_SSL a self-signed certificate for {@code localhost} is generated at start-up.
 *
 * <p>Immutable and thread-safe.
 *
 * @param protocol      the broker listener's security protocol
 * @param adminUser     the super user's name
 * @param adminPassword the super user's password
 */
public record ClusterSecurity(Protocol protocol, String adminUser, String adminPassword) {

    /** The broker listener's security protocol. */
    public enum Protocol {
        /** SCRAM authentication, no encryption. */
        SASL_PLAINTEXT,
        /** SCRAM authentication over TLS. */
        SASL_SSL
    }

    /**
     * @throws IllegalArgumentException if a user or password is blank, or the user name has a character that the
     *     SCRAM format-time argument cannot carry
     */
    public ClusterSecurity {
        Objects.requireNonNull(protocol, "protocol");
        requireArgument(adminUser != null && adminUser.matches("[A-Za-z0-9._-]+"),
                "admin user must be letters, digits, '.', '_' or '-', but was '%s'", adminUser);
        requireArgument(adminPassword != null && !adminPassword.isBlank() && adminPassword.matches("[^\"\\\\,\\]]+"),
                "admin password must be non-blank and free of '\"', '\\\\', ',' and ']', for user '%s'", adminUser);
    }

    /** @return SASL_PLAINTEXT with user {@code admin} and password {@code admin-secret} */
    public static ClusterSecurity saslPlaintext() {
        return new ClusterSecurity(Protocol.SASL_PLAINTEXT, "admin", "admin-secret");
    }

    /** @return SASL_SSL with user {@code admin} and password {@code admin-secret} */
    public static ClusterSecurity saslSsl() {
        return new ClusterSecurity(Protocol.SASL_SSL, "admin", "admin-secret");
    }

    /**
     * @param user     the admin user name
     * @param password the admin password
     * @return a copy with another admin user
     */
    public ClusterSecurity withAdmin(String user, String password) {
        return new ClusterSecurity(protocol, user, password);
    }

    @Override
    public String toString() {
        // Never print the password.
        return "ClusterSecurity[protocol=" + protocol + ", adminUser=" + adminUser + "]";
    }
}
