package io.courier.eventsourcing;

import java.util.List;

/**
 * The command processor's answer to one command.
 *
 * @param accepted    whether the events were appended
 * @param aggregateId the aggregate
 * @param version     the aggregate's version after the command (accepted), or its current version (rejected)
 * @param events      how many events were appended
 * @param reason      why the command was rejected; empty when accepted
 * @param offsets     where the appended events are, in append order: one per event; empty when rejected. Pass them
 *                    to {@link Projection#awaitOffsets} for read-your-writes across aggregates.
 */
public record CommandResult(boolean accepted, String aggregateId, long version, int events, String reason,
        List<EventOffset> offsets) {

    public CommandResult {
        offsets = offsets == null ? List.of() : List.copyOf(offsets);
    }

    /**
     * @param aggregateId the aggregate
     * @param version     its new version
     * @param events      events appended
     * @return an acceptance whose offsets are not known yet (the processor adds them once the events are written)
     */
    public static CommandResult acceptance(String aggregateId, long version, int events) {
        return new CommandResult(true, aggregateId, version, events, "", List.of());
    }

    /** @param aggregateId the aggregate @param version its current version @param reason why @return a rejection */
    public static CommandResult rejection(String aggregateId, long version, String reason) {
        return new CommandResult(false, aggregateId, version, 0, reason, List.of());
    }

    /** @param written where the events were written @return this result with those offsets */
    public CommandResult withOffsets(List<EventOffset> written) {
        return new CommandResult(accepted, aggregateId, version, events, reason, written);
    }
}
