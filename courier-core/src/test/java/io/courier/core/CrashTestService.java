package io.courier.core;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small service for the crash tests, run in its own JVM so that the test can kill it with SIGKILL:
 * {@code CrashTestService <bootstrap> <guarantee> <input> <output> <handled-log> <instance-id>
 * [<transaction-timeout-ms> <hang-at-value>]}.
 * Each handled message's value is appended to the log (a write system call per message, so it survives SIGKILL);
 * with EXACTLY_ONCE the handler also publishes the value to the output topic. Given a hang-at value, the handler
 * stops for good once it has logged that value, in the middle of its transaction.
 */
public final class CrashTestService {
    private CrashTestService() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        DeliveryGuarantee guarantee = DeliveryGuarantee.valueOf(args[1]);
        Topic<String, String> input = Topic.of(args[2], Serdes.string(), Serdes.string());
        Topic<String, String> output = Topic.of(args[3], Serdes.string(), Serdes.string());
        OutputStream log = new FileOutputStream(args[4], true);
        CourierConfig.Builder config = CourierConfig.builder(bootstrap).serviceName("crash-test");
        if (args.length > 6) {
            config.clientProperty("transaction.timeout.ms", args[6]);
        }
        String hangAt = args.length > 7 ? args[7] : null;
        Courier courier = Courier.connect(config.build());
        Subscriber subscriber = courier.subscriber(input, SubscriberOptions.builder("crash-" + args[2])
                        .guarantee(guarantee).instanceId(args[5]).maxPollRecords(50)
                        // The group notices the killed instance after this; Kafka's default would be 45 s.
                        .consumerProperty("session.timeout.ms", "6000").build(),
                Handlers.all((m, ctx) -> {
                    if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                        ctx.publish(output, m.key(), m.value());
                    }
                    write(log, m.value());
                    if (m.value().equals(hangAt)) {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                    Thread.sleep(1); // keep the stream flowing for a few seconds, so the kill lands mid-stream
                })).start();
        subscriber.awaitAssignment(Duration.ofSeconds(60));
        System.out.println("READY");
        System.out.flush();
        // Runs until killed; a closed standard input (the test went away) stops it gracefully.
        while (System.in.read() >= 0) {
            Thread.onSpinWait();
        }
        subscriber.close();
        courier.close();
    }

    private static synchronized void write(OutputStream log, String line) throws IOException {
        log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
