package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Picks free ports and checks requested ones before a node tries to bind them. */
final class Ports {
    private Ports() {}

    /**
     * Picks {@code count} distinct free ports. Another process may take one before the node binds it; that small
     * race is the price of knowing controller ports before start, which the static quorum needs.
     */
    static int[] free(int count) {
        int[] ports = new int[count];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int port;
            do {
                try (ServerSocket socket = new ServerSocket(0)) {
                    port = socket.getLocalPort();
                } catch (IOException e) {
                    throw new CourierException("cannot find a free TCP port on this machine: " + e.getMessage(), e);
                }
            } while (!seen.add(port));
            ports[i] = port;
        }
        return ports;
    }

    /**
     * @throws CourierException naming the port and its purpose if the port cannot be bound on the loopback address
     */
    static void requireAvailable(int port, String purpose) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new CourierException("port " + port + " is already in use (wanted for " + purpose
                    + "); choose another port, or stop the process that holds it", e);
        }
    }
}
