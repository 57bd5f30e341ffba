package io.courier.eventsourcing;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A bank account, the test aggregate: open it, deposit, withdraw no more than the balance. */
final class Accounts {
    private Accounts() {}

    sealed interface Command permits Open, Deposit, Withdraw, OpenWithDeposit {}

    record Open(String owner) implements Command {}

    record Deposit(long cents) implements Command {}

    record Withdraw(long cents) implements Command {}

    /** Two events from one command. */
    record OpenWithDeposit(String owner, long cents) implements Command {}

    sealed interface Event permits Opened, Deposited, Withdrawn {}

    record Opened(String owner) implements Event {}

    /** Schema 2: schema 1 had {@code amount} in whole euros; an upcaster converts. */
    record Deposited(long cents, String currency) implements Event {}

    record Withdrawn(long cents) implements Event {}

    record Account(String owner, long balance) {}

    static Decision<Event> decide(Account state, Command command) {
        if (command instanceof Open open) {
            return state != null ? Decision.reject("account is already open")
                    : Decision.accept(new Opened(open.owner()));
        }
        if (command instanceof OpenWithDeposit o) {
            return state != null ? Decision.reject("account is already open")
                    : Decision.accept(java.util.List.of(new Opened(o.owner()), new Deposited(o.cents(), "EUR")));
        }
        if (state == null) {
            return Decision.reject("unknown account: open it first");
        }
        if (command instanceof Deposit d) {
            return d.cents() <= 0 ? Decision.reject("a deposit must be positive, but was " + d.cents())
                    : Decision.accept(new Deposited(d.cents(), "EUR"));
        }
        Withdraw w = (Withdraw) command;
        return w.cents() > state.balance() ? Decision.reject("insufficient funds: balance " + state.balance()
                + ", withdrawal " + w.cents()) : Decision.accept(new Withdrawn(w.cents()));
    }

    static Account evolve(Account state, Event event) {
        if (event instanceof Opened o) {
            return new Account(o.owner(), 0);
        }
        if (event instanceof Deposited d) {
            return new Account(state.owner(), state.balance() + d.cents());
        }
        return new Account(state.owner(), state.balance() - ((Withdrawn) event).cents());
    }

    static Aggregate<Account, Command, Event> aggregate(String name) {
        return Aggregate.builder(name, Account.class, Command.class, Event.class)
                .decide(Accounts::decide).evolve(Accounts::evolve).partitions(3)
                .upcast("Deposited", 1, v1 -> {
                    ObjectNode v2 = v1.objectNode();
                    v2.put("cents", v1.get("amount").asLong() * 100);
                    v2.put("currency", "EUR");
                    return v2;
                })
                .build();
    }
}
