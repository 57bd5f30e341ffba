package io.courier.eventsourcing;

import io.courier.core.OutboundMessage;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Reply;
import io.courier.requestreply.Requester;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Sends commands to an aggregate type's command processor and returns its answer, through request-reply. Thread-safe.
 *
 * @param <C> the command type
 */
public final class CommandGateway<C> {
    private final Requester requester;
    private final Endpoint<String, C, CommandResult> endpoint;

    private CommandGateway(Requester requester, Endpoint<String, C, CommandResult> endpoint) {
        this.requester = requester;
        this.endpoint = endpoint;
    }

    /**
     * @param requester a started requester (its reply topic receives the answers)
     * @param aggregate the aggregate type
     * @param <C>       the command type
     * @return a gateway
     */
    public static <C> CommandGateway<C> of(Requester requester, Aggregate<?, C, ?> aggregate) {
        Objects.requireNonNull(requester, "requester");
        return new CommandGateway<>(requester, Endpoint.of(Topic.of(aggregate.commandsTopic(), Serdes.string(),
                aggregate.commands()), Serdes.json(CommandResult.class)));
    }

    /**
     * Sends a command whatever the aggregate's version.
     *
     * @param aggregateId the aggregate, the record key
     * @param command     the command
     * @param timeout     how long to wait for the answer; a command not processed by then is rejected, not applied
     * @return the processor's answer ({@link CommandResult#accepted()} or the reason), a failure, or a timeout
     */
    public CompletableFuture<Reply<CommandResult>> send(String aggregateId, C command, Duration timeout) {
        return requester.request(endpoint, OutboundMessage.of(Objects.requireNonNull(aggregateId, "aggregateId"),
                command), timeout);
    }

    /**
     * Sends a command that applies only if the aggregate is at {@code expectedVersion} (optimistic concurrency);
     * otherwise it is rejected with the current version.
     *
     * @param aggregateId     the aggregate
     * @param command         the command
     * @param expectedVersion the version the sender saw, 0 for an aggregate without events
     * @param timeout         how long to wait for the answer
     * @return as {@link #send(String, Object, Duration)}
     */
    public CompletableFuture<Reply<CommandResult>> send(String aggregateId, C command, long expectedVersion,
            Duration timeout) {
        return requester.request(endpoint, OutboundMessage.of(Objects.requireNonNull(aggregateId, "aggregateId"),
                command).withHeader(EventHeaders.EXPECTED_VERSION, Long.toString(expectedVersion)), timeout);
    }
}
