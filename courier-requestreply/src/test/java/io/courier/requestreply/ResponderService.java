package io.courier.requestreply;

import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import java.time.Duration;

/**
 * A responder in its own JVM, so a test can kill it with SIGKILL. Answers {@code echo:<payload>:<name>} after a
 * short pause per request, so requests are in flight when it dies. Prints READY once it owns partitions.
 * Arguments: bootstrap servers, request topic, group, name.
 */
public final class ResponderService {
    private ResponderService() {}

    public static void main(String[] args) throws Exception {
        Courier courier = Courier.connect(CourierConfig.builder(args[0]).serviceName("responder-" + args[3]).build());
        Endpoint<String, String, String> endpoint = Endpoint.of(Topic.of(args[1], Serdes.string(), Serdes.string()),
                Serdes.string());
        Responder responder = Responder.start(courier, endpoint,
                ResponderOptions.builder(args[2]).consumerProperty("session.timeout.ms", "6000")
                        .consumerProperty("heartbeat.interval.ms", "1000").build(),
                RequestHandler.sync(m -> {
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "echo:" + m.value() + ":" + args[3];
                }));
        responder.awaitAssignment(Duration.ofMinutes(1));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
