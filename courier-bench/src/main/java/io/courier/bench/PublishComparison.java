package io.courier.bench;

import static io.courier.common.Preconditions.requireArgument;

import io.courier.core.EnvelopeFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Publishing through Courier against a raw {@code KafkaProducer} with the same settings, in one run and
 * alternating, because a shared machine's speed drifts: throughput of {@code records} records of
 * {@code recordSize} bytes at full speed, and end-to-end latency (send to handled) at a fixed rate, measured from
 * each message's intended send time so that stalls are not hidden (no coordinated omission). In both workloads the
 * two clients take turns in slices of a round.
 *
 * @param bootstrapServers the cluster
 * @param clientProperties Kafka client settings for every client of both sides (security, as from
 *                         {@code --command-config}); the comparison's own producer settings win over them
 * @param records          records per throughput round
 * @param recordSize       value size in bytes
 * @param rounds           rounds per workload; each gives one raw and one Courier measurement, and which client goes
 *                         first alternates from round to round
 * @param ratePerSecond    the fixed rate of the latency rounds
 * @param latencyDuration  how long each client publishes in a latency round
 * @param envelope         how Courier writes its envelope
 * @param batchSize        Kafka's {@code batch.size} for both clients
 * @param rawEnvelope      whether the raw producer's records carry a constant copy of Courier's envelope headers:
 *                         then both clients send records of the same size, and the ratio measures Courier's own
 *                         per-message work without the envelope's bytes
 * @param slices           into how many slices a round is cut (a throughput round's records, a latency round's
 *                         messages), the two clients taking turns slice by slice; 1 runs each client's part of a
 *                         round in one go
 */
public record PublishComparison(String bootstrapServers, Map<String, String> clientProperties, int records, int recordSize, int rounds, int ratePerSecond,
        Duration latencyDuration, EnvelopeFormat envelope, int batchSize, boolean rawEnvelope, int slices) {

    static final int MAX_RECORD_SIZE = 1_000_000;
    static final int MAX_RATE = 1_000_000;
    static final int MAX_BATCH_SIZE = 32 * 1024 * 1024;

    public PublishComparison {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        clientProperties = Map.copyOf(clientProperties);
        Objects.requireNonNull(envelope, "envelope");
        requireArgument(records >= 1, "records must be at least 1, but was %d", records);
        // Kafka's producer refuses a record above max.request.size (1 MiB), envelope included: say so before a run.
        requireArgument(recordSize >= 16 && recordSize <= MAX_RECORD_SIZE,
                "record size must be between 16 and %d bytes, but was %d", MAX_RECORD_SIZE, recordSize);
        requireArgument(rounds >= 2 && rounds % 2 == 0,
                "rounds must be even and at least 2, so that each client goes first equally often, but was %d", rounds);
        requireArgument(ratePerSecond >= 1 && ratePerSecond <= MAX_RATE,
                "rate must be between 1 and %d messages/s, but was %d", MAX_RATE, ratePerSecond);
        requireArgument(!latencyDuration.isNegative() && !latencyDuration.isZero(),
                "latency duration must be positive, but was %s", latencyDuration);
        // A batch larger than the producer's buffer.memory (32 MiB) fails every send.
        requireArgument(batchSize >= 0 && batchSize <= MAX_BATCH_SIZE,
                "batch size must be between 0 and %d bytes (the producer's buffer.memory), but was %d", MAX_BATCH_SIZE,
                batchSize);
        requireArgument(slices >= 1 && slices <= records,
                "slices must be between 1 and the records per round (%d), but was %d", records, slices);
    }

    /**
     * One measured round.
     *
     * @param recordsPerRequest the producer's average records per produce request (its {@code records-per-request-avg}
     *                          metric): with one partition, how many records a batch holds, which header bytes lower
     * @param recordBytes       the producer's average bytes per record in its batches, headers included (its
     *                          {@code record-size-avg} metric)
     * @param sendCpuMicros     CPU time of the publishing thread per message while it sends, in microseconds: the work
     *                          of {@code send} itself, Courier's and Kafka's, without the producer's I/O thread;
     *                          null for latency rounds, which mostly wait for their pace
     */
    public record Round(Client client, String kind, double messagesPerSec, double mbPerSec, double recordsPerRequest,
            double recordBytes, Double sendCpuMicros, LatencyStats latency) {}

    /**
     * A 95% confidence interval of a geometric mean ratio, from the spread of the pair ratios (Student's t on their
     * logarithms). The alternating order adds spread of its own, so the interval errs on the wide side.
     *
     * @param low   the lower bound
     * @param high  the upper bound
     * @param pairs how many pair ratios it rests on
     */
    public record Interval(double low, double high, int pairs) {
        /** @return the interval, or null with fewer than two pairs (one pair says nothing about the spread) */
        static Interval of(List<Double> ratios) {
            int n = ratios.size();
            if (n < 2) {
                return null;
            }
            double[] logs = ratios.stream().mapToDouble(Math::log).toArray();
            double mean = java.util.Arrays.stream(logs).average().orElseThrow();
            double variance = java.util.Arrays.stream(logs).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
            double half = tCritical(n - 1) * Math.sqrt(variance / n);
            return new Interval(Math.exp(mean - half), Math.exp(mean + half), n);
        }
    }

    /**
     * Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom. Beyond, the quantile at the bracket's
     * lower end (40, 60, 120), never less than the true one: an interval a little too wide, not too narrow.
     */
    private static final double[] T_975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
        2.056, 2.052, 2.048, 2.045, 2.042};

    static double tCritical(int degreesOfFreedom) {
        if (degreesOfFreedom <= T_975.length) {
            return T_975[degreesOfFreedom - 1];
        }
        return degreesOfFreedom <= 40 ? 2.042 : degreesOfFreedom <= 60 ? 2.021 : degreesOfFreedom <= 120 ? 2.000 : 1.980;
    }

    /**
     * All rounds, the geometric means of the Courier / raw ratios of back-to-back pairs, and their 95% intervals
     * (null with a single round).
     */
    public record Result(PublishComparison settings, List<Round> rounds, double throughputRatio, double p99Ratio,
            Interval throughputInterval, Interval p99Interval, double sendCpuRatio) {

        /** @return a console table with one line per round and the ratios */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-8s %-10s %14s %9s %8s %8s %8s %9s %9s %9s %9s%n",
                    "client", "round", "messages/s", "MB/s", "rec/req", "rec B", "send us", "p50 ms", "p99 ms", "p99.9 ms", "max ms"));
            for (Round r : rounds) {
                LatencyStats l = r.latency();
                sb.append(String.format(Locale.ROOT, "%-8s %-10s %,14.0f %9.1f %8s %8s %8s %9s %9s %9s %9s%n", r.client(), r.kind(),
                        r.messagesPerSec(), r.mbPerSec(), fmt1(r.recordsPerRequest()), fmt0(r.recordBytes()),
                        fmt(r.sendCpuMicros()), fmt(l == null ? null : l.p50()), fmt(l == null ? null : l.p99()),
                        fmt(l == null ? null : l.p999()), fmt(l == null ? null : l.max())));
            }
            sb.append(String.format(Locale.ROOT, "Courier / raw (geometric mean of back-to-back pairs) throughput: %.3f%s   end-to-end p99: %.3f%s%n",
                    throughputRatio, interval(throughputInterval), p99Ratio, interval(p99Interval)));
            sb.append(String.format(Locale.ROOT, "Courier / raw CPU time of the publishing thread per message (send us): %s%n",
                    Double.isNaN(sendCpuRatio) ? "- (this JVM does not measure thread CPU time)"
                            : String.format(Locale.ROOT, "%.3f", sendCpuRatio)));
            return sb.toString();
        }

        private static String interval(Interval i) {
            return i == null ? "" : String.format(Locale.ROOT, " (95%% interval %.2f-%.2f over %d pairs)", i.low(),
                    i.high(), i.pairs());
        }

        private static String fmt0(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
        }

        private static String fmt1(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
        }

        private static String fmt(Double v) {
            return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.2f", v);
        }
    }

    /**
     * Runs every round: a warm-up and the latency rounds, then a warm-up and the throughput rounds.
     *
     * @param progress receives one line per finished warm-up and round
     * @return the rounds (throughput rounds first) and ratios
     */
    public Result run(Consumer<String> progress) {
        Workloads w = new Workloads(this);
        // Latency first: a throughput round writes two gigabytes, which the broker's disk flushes and (once the
        // round deletes its topics) removes for a minute after; latency rounds after them would measure that.
        // Unmeasured warm-ups: class loading, JIT and the first group joins would otherwise land on whichever client
        // runs first.
        w.latency("warmup-lat", latencyDuration.dividedBy(4), true);
        progress.accept("latency warm-up done");
        List<Round> latencyRounds = new ArrayList<>();
        List<Double> p99Ratios = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            List<Client> order = order(i);
            Round[] pair = w.latency("lat-" + i, latencyDuration, order.get(0) == Client.RAW);
            for (Client c : order) {
                Round r = pair[c.ordinal()];
                latencyRounds.add(r);
                progress.accept(String.format(Locale.ROOT, "%s latency round %d at %d/s: p99 %.2f ms", c, i + 1,
                        ratePerSecond, r.latency().p99()));
            }
            p99Ratios.add(pair[Client.COURIER.ordinal()].latency().p99() / pair[Client.RAW.ordinal()].latency().p99());
        }
        w.throughput("warmup-tput", Math.max(slices, records / 5), true);
        progress.accept("throughput warm-up done");
        List<Round> done = new ArrayList<>();
        List<Double> tputRatios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            List<Client> order = order(i);
            Round[] pair = w.throughput("tput-" + i, records, order.get(0) == Client.RAW);
            for (Client c : order) {
                done.add(pair[c.ordinal()]);
                progress.accept(String.format(Locale.ROOT, "%s throughput round %d: %,.0f messages/s", c, i + 1,
                        pair[c.ordinal()].messagesPerSec()));
            }
            tputRatios.add(pair[Client.COURIER.ordinal()].messagesPerSec() / pair[Client.RAW.ordinal()].messagesPerSec());
            cpuRatios.add(pair[Client.COURIER.ordinal()].sendCpuMicros() / pair[Client.RAW.ordinal()].sendCpuMicros());
        }
        done.addAll(latencyRounds); // reported after the throughput rounds, as before
        return new Result(this, List.copyOf(done), geometricMean(tputRatios), geometricMean(p99Ratios),
                Interval.of(tputRatios), Interval.of(p99Ratios), geometricMean(cpuRatios));
    }

    /** Alternates which client goes first, so that a machine that speeds up or slows down favours neither. */
    private static List<Client> order(int round) {
        return round % 2 == 0 ? List.of(Client.RAW, Client.COURIER) : List.of(Client.COURIER, Client.RAW);
    }

    /**
     * Who publishes in a slice, in turn: the client that went second goes first in the next slice (A B, B A, A B...),
     * so that each waits for the other's writes as often as the other waits for its own.
     */
    static List<Client> sliceOrder(int slice, boolean rawFirst) {
        return (slice % 2 == 0) == rawFirst ? List.of(Client.RAW, Client.COURIER) : List.of(Client.COURIER, Client.RAW);
    }

    /** @return {@code slices} sizes as equal as they can be that add up to {@code records} */
    static int[] sliceSizes(int records, int slices) {
        int[] sizes = new int[slices];
        for (int i = 0; i < slices; i++) {
            sizes[i] = records / slices + (i < records % slices ? 1 : 0);
        }
        return sizes;
    }

    /**
     * The geometric mean of the per-round ratios. A round's two measurements take turns in slices, so they share the
     * machine's state of the moment; and whichever client runs second pays for the first one's writes being flushed
     * to disk. With the order alternating over an even number of rounds (and from slice to slice), that factor
     * appears once multiplied and once divided, and cancels.
     */
    static double geometricMean(List<Double> ratios) {
        return Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(Double.NaN));
    }
}
