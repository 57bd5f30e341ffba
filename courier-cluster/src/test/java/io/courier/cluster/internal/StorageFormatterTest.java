package io.courier.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which data directories a start accepts, on directories laid out by hand: no broker. */
class StorageFormatterTest {
    @TempDir
    Path dir;

    private void formatted(int node) throws IOException {
        Files.createDirectories(dir.resolve("node-" + node));
        Files.writeString(dir.resolve("node-" + node).resolve("meta.properties"), "cluster.id=abc\nnode.id=" + node);
    }

    @Test
    void aStartThatFailedWhileFormattingCanBeRunAgainAsItWas() throws IOException {
        StorageFormatter.requireSameLayout(dir, 3, "admin", "pw"); // a fresh directory: its layout is noted first
        formatted(0); // then formatting node 1 failed

        StorageFormatter.requireSameLayout(dir, 3, "admin", "pw");

        assertThat(assertThrows(CourierException.class, () -> StorageFormatter.requireSameLayout(dir, 1, "admin", "pw")))
                .hasMessageContaining("holds a cluster of 3 node(s) (node directories [0]), not of 1");
    }

    @Test
    void aStartThatFailedBeforeFormattingLeavesTheDirectoryFree() throws IOException {
        StorageFormatter.requireSameLayout(dir, 3, null, null); // then the start failed before any node was formatted

        StorageFormatter.requireSameLayout(dir, 1, "admin", "pw");
        formatted(0);

        assertThat(assertThrows(CourierException.class, () -> StorageFormatter.requireSameLayout(dir, 3, null, null)))
                .as("the layout of the start that formatted").hasMessageContaining("holds a cluster of 1 node(s)");
    }

    @Test
    void aDirectoryFromAnOlderReleaseIsJudgedByItsNodeDirectories() throws IOException {
        formatted(0);

        assertThat(assertThrows(CourierException.class, () -> StorageFormatter.requireSameLayout(dir, 3, null, null)))
                .hasMessageContaining("holds a cluster of 1 node(s) (node directories [0]), not of 3: start it "
                        + "with 1 node(s) (--brokers 1)");
        StorageFormatter.requireSameLayout(dir, 1, "admin", "pw"); // its security is unknown: Kafka says, if it refuses
    }

    @Test
    void aSecuredStartNeedsTheAdminTheDirectoryWasFormattedWith() throws IOException {
        StorageFormatter.requireSameLayout(dir, 1, "admin", "pw");
        formatted(0);

        StorageFormatter.requireSameLayout(dir, 1, "admin", "pw");
        StorageFormatter.requireSameLayout(dir, 1, null, null); // security off: the brokers ignore the credentials
        assertThat(assertThrows(CourierException.class, () -> StorageFormatter.requireSameLayout(dir, 1, "bob", "pw")))
                .hasMessageContaining("was formatted with SCRAM admin 'admin', so the brokers know no credential "
                        + "of admin 'bob'");
        assertThat(assertThrows(CourierException.class,
                () -> StorageFormatter.requireSameLayout(dir, 1, "admin", "another")))
                .hasMessageContaining("was formatted with another password for admin 'admin'");
    }
}
