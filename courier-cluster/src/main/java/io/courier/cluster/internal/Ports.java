package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Picks free ports and checks requested ones before a node tries to bind them. */
final class Ports {
    /**
     * Every port handed out in this JVM: the system may offer a port again once its probe socket closed, and two
     * clusters starting side by side in one JVM must not both get it.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /**
     * Picks {@code count} distinct free ports, none handed out before in this JVM. Another process may take one
     * before the node binds it; that small race is the price of knowing controller ports before start, which the
     * static quorum needs.
     */
    static int[] free(int count) {
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            int port;
            do {
                try (ServerSocket socket = new ServerSocket(0)) {
                    port = socket.getLocalPort();
                } catch (IOException e) {
                    throw new CourierException("cannot find a free TCP port on this machine: " + e.getMessage(), e);
                }
            } while (!HANDED_OUT.add(port));
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
