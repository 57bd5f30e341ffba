package io.courier.eventsourcing;

/**
 * The command processor's answer to one command.
 *
 * @param accepted    whether the events were appended
 * @param aggregateId the aggregate
 * @param version     the aggregate's version after the command (accepted), or its current version (rejected)
 * @param events      how many events were appended
 * @param reason      why the command was rejected; empty when accepted
 */
public record CommandResult(boolean accepted, String aggregateId, long version, int events, String reason) {

    /** @param aggregateId the aggregate @param version its new version @param events events appended @return an acceptance */
    public static CommandResult acceptance(String aggregateId, long version, int events) {
        return new CommandResult(true, aggregateId, version, events, "");
    }

    /** @param aggregateId the aggregate @param version its current version @param reason why @return a rejection */
    public static CommandResult rejection(String aggregateId, long version, String reason) {
        return new CommandResult(false, aggregateId, version, 0, reason);
    }
}
