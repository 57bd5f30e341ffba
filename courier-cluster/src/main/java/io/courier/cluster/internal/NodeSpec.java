package io.courier.cluster.internal;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything one node needs to start: its id, ports, data directory and full broker configuration.
 *
 * @param nodeId         the node id
 * @param brokerPort     the port of the client-facing BROKER listener
 * @param controllerPort the port of the CONTROLLER listener
 * @param directory      the node's data directory (log dirs and metadata log)
 * @param properties     the complete broker configuration
 */
public record NodeSpec(int nodeId, int brokerPort, int controllerPort, Path directory, Map<String, String> properties) {
    public NodeSpec {
        properties = Map.copyOf(properties);
    }
}
