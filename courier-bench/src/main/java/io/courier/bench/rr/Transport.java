package io.courier.bench.rr;

import java.util.concurrent.CompletableFuture;

/** One way to carry a request to a responder and its reply back. */
interface Transport extends AutoCloseable {

    /** @return "kafka" or "http" */
    String name();

    /**
     * @param payload the request body
     * @return completes with true for a correct reply, false for an error reply or a timeout; exceptionally when
     *     the request could not be sent
     */
    CompletableFuture<Boolean> call(byte[] payload);

    /** Stops the responder side (an outage); requests sent meanwhile are the caller's problem. */
    void stopResponder() throws Exception;

    /** Starts the responder side again after {@link #stopResponder()}. */
    void startResponder() throws Exception;

    @Override
    void close();
}
