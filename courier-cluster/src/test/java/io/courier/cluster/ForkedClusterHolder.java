package io.courier.cluster;

import java.nio.file.Path;

/** A JVM that starts a one-node forked cluster in the given data directory and holds it, for a test to kill. */
public final class ForkedClusterHolder {
    private ForkedClusterHolder() {}

    public static void main(String[] args) throws Exception {
        EmbeddedKafkaCluster.start(ClusterOptions.builder().forkedNodes(true).forkedNodeHeap("256m")
                .port(0).dataDirectory(Path.of(args[0])).build());
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
