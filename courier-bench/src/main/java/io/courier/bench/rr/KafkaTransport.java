package io.courier.bench.rr;

import io.courier.bench.internal.BenchTopics;
import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Reply;
import io.courier.requestreply.RequestHandler;
import io.courier.requestreply.Requester;
import io.courier.requestreply.RequesterOptions;
import io.courier.requestreply.Responder;
import io.courier.requestreply.ResponderOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Courier request-reply: a requester and an echoing responder group, with topics made for this run. */
final class KafkaTransport implements Transport {
    private final Courier courier;
    private final Endpoint<byte[], byte[], byte[]> endpoint;
    private final Requester requester;
    private final Duration timeout;
    private final int threads;
    private Responder responder;

    KafkaTransport(String bootstrapServers, Map<String, String> clientProperties, Duration timeout, int threads) {
        this.timeout = timeout;
        this.threads = threads;
        this.courier = Courier.connect(CourierConfig.builder(bootstrapServers).serviceName("bench-rr")
                .clientProperties(clientProperties).build());
        String run = UUID.randomUUID().toString().substring(0, 8);
        Topic<byte[], byte[]> requests = Topic.builder("bench-rr-" + run, Serdes.bytes(), Serdes.bytes())
                .partitions(threads).build();
        this.endpoint = Endpoint.of(requests, Serdes.bytes());
        Requester started = null;
        try {
            courier.provision(requests);
            started = Requester.start(courier, RequesterOptions.builder("bench-rr-" + run + ".replies")
                    .replyPartitions(threads).build());
            startResponder();
        } catch (RuntimeException | Error e) { // nothing of a transport that did not start may stay behind
            try {
                if (responder != null) {
                    responder.close();
                }
                if (started != null) {
                    started.close();
                }
                deleteTopics();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                courier.close();
            }
            throw e;
        }
        this.requester = started;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public CompletableFuture<Boolean> call(byte[] payload) {
        return requester.request(endpoint, null, payload, timeout)
                .thenApply(r -> r instanceof Reply.Success<byte[]> s && Arrays.equals(s.value(), payload));
    }

    @Override
    public synchronized void stopResponder() {
        responder.close();
    }

    @Override
    public synchronized void startResponder() {
        responder = Responder.start(courier, endpoint, ResponderOptions.builder("bench-rr-responders")
                .concurrency(threads).build(), RequestHandler.sync(m -> m.value()));
        responder.awaitAssignment(Duration.ofMinutes(1));
    }

    @Override
    public synchronized void close() {
        responder.close();
        requester.close();
        // The responders' dead-letter topic too (their subscriber creates it): run names are random, so left behind
        // these topics would pile up.
        try {
            deleteTopics();
        } finally {
            courier.close();
        }
    }

    private void deleteTopics() {
        BenchTopics.delete(courier.admin(), java.util.List.of(endpoint.name(), endpoint.name() + ".replies",
                endpoint.name() + ".dlt"), courier.config().bootstrapServers());
    }
}
