package io.courier.bench.es;

import io.courier.eventsourcing.Aggregate;
import io.courier.eventsourcing.Decision;

/** The benchmark's aggregate: a wallet that is opened, credited, and refuses debits beyond its balance. */
final class Wallets {
    private Wallets() {}

    sealed interface Command permits Open, Credit, Debit {}

    record Open() implements Command {}

    record Credit(long amount) implements Command {}

    record Debit(long amount) implements Command {}

    sealed interface Event permits Opened, Credited, Debited {}

    record Opened() implements Event {}

    record Credited(long amount) implements Event {}

    record Debited(long amount) implements Event {}

    record Wallet(long balance) {}

    static Aggregate<Wallet, Command, Event> aggregate(String name, int partitions) {
        return Aggregate.builder(name, Wallet.class, Command.class, Event.class)
                .partitions(partitions)
                .decide((Wallet w, Command c) -> {
                    if (c instanceof Open) {
                        return w == null ? Decision.accept(new Opened()) : Decision.reject("already open");
                    }
                    if (w == null) {
                        return Decision.reject("unknown wallet");
                    }
                    if (c instanceof Credit credit) {
                        return Decision.accept(new Credited(credit.amount()));
                    }
                    long amount = ((Debit) c).amount();
                    return amount > w.balance() ? Decision.reject("insufficient balance " + w.balance())
                            : Decision.accept(new Debited(amount));
                })
                .evolve((Wallet w, Event e) -> {
                    if (e instanceof Opened) {
                        return new Wallet(0);
                    }
                    return e instanceof Credited c ? new Wallet(w.balance() + c.amount())
                            : new Wallet(w.balance() - ((Debited) e).amount());
                })
                .build();
    }
}
