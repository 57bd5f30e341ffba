package io.courier.requestreply;

/**
 * Counters of one requester instance since it started.
 *
 * @param sent      requests published
 * @param succeeded requests answered with a success
 * @param failed    requests answered with a failure
 * @param timedOut  requests that reached their deadline without (enough) replies
 * @param late      replies that arrived after their request had completed (its deadline passed, or it was already
 *                  answered: a second reply after a responder crash), if it is among the last 100,000 requests this
 *                  instance completed: dropped
 * @param unmatched replies whose correlation id this instance does not know (sent to an earlier incarnation, to a
 *                  request older than the last 100,000 this instance completed, to a partition that moved here in a
 *                  rebalance, or to the new owner of a partition this instance still reads after giving it up):
 *                  dropped
 * @param errors    requests whose future failed with an exception instead of completing with a reply, sent or not:
 *                  refused by the producer or a serde, no reply partition owned (a rebalance), the reply thread
 *                  stopped, or {@link Requester#close()} came first
 * @param pending   requests waiting for a reply now
 */
public record RequesterStats(long sent, long succeeded, long failed, long timedOut, long late, long unmatched,
        long errors, int pending) {}
