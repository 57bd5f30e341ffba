package io.courier.eventsourcing;

import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import java.time.Duration;

/**
 * The account command processor in its own JVM, so a test can kill it with SIGKILL. Prints READY once running.
 * Arguments: bootstrap servers, aggregate name, state directory (the test's: a JVM killed with SIGKILL cannot
 * delete a temporary one).
 */
public final class ProcessorService {
    private ProcessorService() {}

    public static void main(String[] args) throws Exception {
        Courier courier = Courier.connect(CourierConfig.builder(args[0]).serviceName("bank-processor").build());
        Aggregate<Accounts.Account, Accounts.Command, Accounts.Event> accounts = Accounts.aggregate(args[1]);
        CommandProcessor.start(courier, accounts, ProcessorOptions.builder(args[1] + "-processor")
                        .stateDirectory(java.nio.file.Path.of(args[2])).build())
                .awaitRunning(Duration.ofMinutes(2));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
