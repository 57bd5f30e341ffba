package io.courier.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.core.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WorkloadFileTest {

    /** OMB's workloads/1-topic-16-partitions-1kb.yaml. */
    private static final String OMB = """
            name: 1 topic / 16 partitions / 1Kb

            topics: 1
            partitionsPerTopic: 16
            messageSize: 1024
            payloadFile: "payload/payload-1Kb.data"
            subscriptionsPerTopic: 1
            consumerPerSubscription: 1
            producersPerTopic: 1
            producerRate: 50000
            consumerBacklogSizeGB: 0
            testDurationMinutes: 15
            """;

    @Test
    void readsAnOmbWorkload() {
        Workload w = WorkloadFile.parse(OMB, "omb.yaml").build();

        assertThat(w.name()).isEqualTo("1 topic / 16 partitions / 1Kb");
        assertThat(w.topics()).isEqualTo(1);
        assertThat(w.partitions()).isEqualTo(16);
        assertThat(w.messageSize()).isEqualTo(1024);
        assertThat(w.consumerGroups()).isEqualTo(1);
        assertThat(w.consumers()).isEqualTo(1);
        assertThat(w.producers()).isEqualTo(1);
        assertThat(w.rate()).isEqualTo(50_000);
        assertThat(w.messages()).isZero();
        assertThat(w.duration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(w.keys()).isEqualTo(Keys.parse("none"));
    }

    @Test
    void countsProducersPerTopicAndReadsFractionalMinutesAndKeyDistributors() {
        Workload w = WorkloadFile.parse("""
                topics: 3
                producersPerTopic: 2
                testDurationMinutes: 0.5
                warmupDurationMinutes: 0.25
                keyDistributor: KEY_ROUND_ROBIN
                """, "dir/three-topics.yaml").build();

        assertThat(w.producers()).isEqualTo(6);
        assertThat(w.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(w.warmup()).isEqualTo(Duration.ofSeconds(15));
        assertThat(w.keys()).isEqualTo(new Keys(Keys.Kind.FIXED, 1000));
        assertThat(w.name()).as("named after the file").isEqualTo("three-topics");
        assertThat(WorkloadFile.parse("keyDistributor: RANDOM_NANO", "x").build().keys().kind())
                .isEqualTo(Keys.Kind.RANDOM);
    }

    @Test
    void acceptsCourierFlagsInKebabAndCamelCase() {
        Workload w = WorkloadFile.parse("""
                compression: lz4
                acks: "1"
                replicationFactor: 3
                batch-size: 65536
                lingerMs: 20
                messages: 5000
                """, "native.yaml").build();

        assertThat(w.compression()).isEqualTo(Compression.LZ4);
        assertThat(w.delivery()).isEqualTo(Delivery.ACKS_1);
        assertThat(w.replicationFactor()).isEqualTo(3);
        assertThat(w.batchSize()).isEqualTo(65_536);
        assertThat(w.lingerMs()).isEqualTo(20);
        assertThat(w.messages()).isEqualTo(5000);
    }

    @Test
    void anUnknownKeyNamesTheFileTheKeyAndTheAcceptedKeys() {
        assertThatThrownBy(() -> WorkloadFile.parse("topics: 1\nproducerRatee: 5\n", "typo.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("typo.yaml: ")
                .hasMessageContaining("'producerRatee'")
                .hasMessageContaining("partitionsPerTopic")
                .hasMessageContaining("replication-factor");
    }

    @Test
    void theFlagsAboutWhereAndHowToRunAreNotWorkloadKeys() {
        for (String flag : java.util.List.of("bootstrap-servers", "command-config", "workload", "compare", "sweep",
                "json", "html")) {
            assertThatThrownBy(() -> WorkloadFile.parse(flag + ": x\n", "run.yaml"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("run.yaml: unknown key '" + flag + "'");
        }
    }

    @Test
    void aBadValueNamesTheFile() {
        assertThatThrownBy(() -> WorkloadFile.parse("messageSize: -5\n", "bad.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad.yaml: ")
                .hasMessageContaining("message-size");
        assertThatThrownBy(() -> WorkloadFile.parse("messageSize: big\n", "bad.yaml"))
                .hasMessageStartingWith("bad.yaml: key 'messageSize': ");
        assertThatThrownBy(() -> WorkloadFile.parse("keyDistributor: ZIPF\n", "bad.yaml"))
                .hasMessageStartingWith("bad.yaml: ")
                .hasMessageContaining("KEY_ROUND_ROBIN");
    }

    @Test
    void rejectsWhatIsNotAFlatMap() {
        assertThatThrownBy(() -> WorkloadFile.parse("- topics: 1\n", "list.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("list.yaml: ");
        assertThatThrownBy(() -> WorkloadFile.parse("", "empty.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("empty.yaml: ");
        assertThatThrownBy(() -> WorkloadFile.parse("topics: [1, 2]\n", "nested.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("nested.yaml: ").hasMessageContaining("'topics'");
        assertThatThrownBy(() -> WorkloadFile.parse("partitions: {a: 1}\n", "nested.yaml"))
                .hasMessageStartingWith("nested.yaml: ").hasMessageContaining("'partitions'");
        assertThatThrownBy(() -> WorkloadFile.parse("messageSize: 100\nmessage-size: 200\n", "twice.yaml"))
                .hasMessageStartingWith("twice.yaml: ").hasMessageContaining("message-size");
    }

    @Test
    void everyStandardWorkloadLoads() throws IOException {
        Path dir = Path.of("..", "workloads");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }

        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        for (Path f : files) {
            Workload w = WorkloadFile.load(f).build();
            assertThat(w.duration()).as(f.toString()).isEqualTo(Duration.ofMinutes(1));
            assertThat(w.warmup()).as(f.toString()).isEqualTo(Duration.ofSeconds(15));
            assertThat(Files.readString(dir.resolve("README.md"))).contains(f.getFileName().toString());
        }
    }
}
