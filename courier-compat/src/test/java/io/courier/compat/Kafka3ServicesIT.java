package io.courier.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.core.Courier;
import io.courier.core.CourierConfig;
import io.courier.core.Serdes;
import io.courier.core.Topic;
import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.CommandGateway;
import io.courier.eventsourcing.CommandProcessor;
import io.courier.eventsourcing.CommandResult;
import io.courier.eventsourcing.Decision;
import io.courier.eventsourcing.ProcessorOptions;
import io.courier.eventsourcing.Projection;
import io.courier.requestreply.Endpoint;
import io.courier.requestreply.Reply;
import io.courier.requestreply.RequestHandler;
import io.courier.requestreply.Requester;
import io.courier.requestreply.RequesterOptions;
import io.courier.requestreply.Responder;
import io.courier.requestreply.ResponderOptions;
import io.courier.requestreply.ResponderStats;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Request-reply and event sourcing (Kafka Streams underneath) against an Apache Kafka 3.9 broker. */
@ExtendWith(Kafka3Extension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Kafka3ServicesIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Courier courier;

    record PriceQuery(String sku, int quantity) {}

    record Price(String sku, long cents) {}

    sealed interface Command permits Open, Deposit {}

    record Open(String owner) implements Command {}

    record Deposit(long cents) implements Command {}

    sealed interface Event permits Opened, Deposited {}

    record Opened(String owner) implements Event {}

    record Deposited(long cents) implements Event {}

    record Account(String owner, long balance) {}

    @BeforeAll
    static void connect(Kafka3Broker broker) {
        courier = Courier.connect(CourierConfig.builder(broker.bootstrapServers()).serviceName("compat-services")
                .build());
    }

    @AfterAll
    static void disconnect() {
        if (courier != null) {
            courier.close();
        }
    }

    @Test
    void aRequestGetsItsReplyAndAFailingHandlerAFailureReply() throws Exception {
        Topic<String, PriceQuery> queries = Topic.builder("price-queries", Serdes.string(),
                Serdes.json(PriceQuery.class)).partitions(3).build();
        courier.provision(queries);
        Endpoint<String, PriceQuery, Price> prices = Endpoint.of(queries, Serdes.json(Price.class));
        try (Responder responder = Responder.start(courier, prices, ResponderOptions.builder("pricing").build(),
                RequestHandler.sync(q -> {
                    if (q.value().quantity() <= 0) {
                        throw new IllegalArgumentException("quantity must be positive, but was " + q.value().quantity());
                    }
                    return new Price(q.value().sku(), 250L * q.value().quantity());
                }));
                Requester requester = Requester.start(courier, RequesterOptions.builder("checkout.replies").build())) {
            Reply<Price> ok = requester.request(prices, "sku-1", new PriceQuery("sku-1", 3), WAIT).join();
            assertThat(ok).isInstanceOfSatisfying(Reply.Success.class,
                    s -> assertThat(s.value()).isEqualTo(new Price("sku-1", 750)));

            Reply<Price> failed = requester.request(prices, "sku-2", new PriceQuery("sku-2", 0), WAIT).join();
            assertThat(failed).isInstanceOfSatisfying(Reply.Failure.class, f -> {
                assertThat(f.errorType()).isEqualTo(IllegalArgumentException.class.getName());
                assertThat(f.message()).isEqualTo("quantity must be positive, but was 0");
            });
            assertThat(responder.stats()).isEqualTo(new ResponderStats(1, 1, 0));
        }
    }

    @Test
    void anAggregateAcceptsAndRejectsCommandsAndAProjectionReadsItsOwnWrites() throws Exception {
        Aggregate<Account, Command, Event> accounts = Aggregate.builder("compat-account", Account.class,
                        Command.class, Event.class)
                .decide((state, command) -> {
                    if (command instanceof Open open) {
                        return state != null ? Decision.reject("account is already open")
                                : Decision.accept(new Opened(open.owner()));
                    }
                    return state == null ? Decision.reject("unknown account: open it first")
                            : Decision.accept(new Deposited(((Deposit) command).cents()));
                })
                .evolve((state, event) -> event instanceof Opened o ? new Account(o.owner(), 0)
                        : new Account(state.owner(), state.balance() + ((Deposited) event).cents()))
                .partitions(3).build();
        try (CommandProcessor<Account> processor = CommandProcessor.start(courier, accounts,
                        ProcessorOptions.builder("compat-account-processor").build());
                Requester requester = Requester.start(courier, RequesterOptions.builder("teller.replies").build());
                Projection<Long> balances = Projection.start(courier, accounts, "compat-balances",
                        (Long balance, String id, Event e) -> e instanceof Deposited d
                                ? (balance == null ? 0 : balance) + d.cents() : 0L)) {
            CommandGateway<Command> gateway = CommandGateway.of(requester, accounts);

            CommandResult rejected = success(gateway.send("acct-1", new Deposit(100), WAIT).join());
            assertThat(rejected.accepted()).isFalse();
            assertThat(rejected.reason()).isEqualTo("unknown account: open it first");

            success(gateway.send("acct-1", new Open("ada"), WAIT).join());
            CommandResult deposit = success(gateway.send("acct-1", new Deposit(500), WAIT).join());
            assertThat(deposit.accepted()).isTrue();
            assertThat(deposit.version()).isEqualTo(2);

            assertThat(balances.get("acct-1", deposit.offsets(), WAIT)).contains(500L);
            assertThat(processor.states()).containsKey("acct-1");
        }
    }

    private static CommandResult success(Reply<CommandResult> reply) {
        assertThat(reply).isInstanceOf(Reply.Success.class);
        return ((Reply.Success<CommandResult>) reply).value();
    }
}
