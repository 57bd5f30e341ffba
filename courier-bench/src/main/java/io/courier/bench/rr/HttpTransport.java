package io.courier.bench.rr;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The same interaction over HTTP/1.1: the JDK's {@link HttpClient} posting to the JDK's small HTTP server, which
 * echoes the body. No retries, as a plain HTTP call has none unless someone adds them.
 */
final class HttpTransport implements Transport {
    private final HttpClient client;
    private final Duration timeout;
    private final int threads;
    private final int port;
    private HttpServer server;
    private ExecutorService serverThreads;
    private final URI uri;

    HttpTransport(Duration timeout, int threads) throws IOException {
        this.timeout = timeout;
        this.threads = threads;
        this.server = newServer(0);
        this.port = server.getAddress().getPort();
        this.uri = URI.create("http://127.0.0.1:" + port + "/echo");
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    private HttpServer newServer(int bindPort) throws IOException {
        // The JDK server writes headers and body apart; with Nagle's algorithm on, the client's delayed ACK adds
        // 40 ms to every small response. Every production HTTP server sets TCP_NODELAY, so this one does too.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", bindPort), 1024);
        s.createContext("/echo", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        serverThreads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bench-http-server");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(serverThreads);
        s.start();
        return s;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public CompletableFuture<Boolean> call(byte[] payload) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> r.statusCode() == 200 && Arrays.equals(r.body(), payload));
    }

    @Override
    public synchronized void stopResponder() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Override
    public synchronized void startResponder() throws IOException {
        server = newServer(port);
    }

    @Override
    public synchronized void close() {
        server.stop(0);
        serverThreads.shutdownNow();
    }
}
