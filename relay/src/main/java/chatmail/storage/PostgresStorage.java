package chatmail.storage;

import chatmail.account.CreationSwitch;
import chatmail.account.SharedCreationSwitch;
import chatmail.acme.AcmeState;
import chatmail.acme.PostgresAcmeState;
import chatmail.config.Config;
import chatmail.delivery.outbound.OutboundQueueStore;
import chatmail.delivery.outbound.PostgresOutboundQueueStore;
import chatmail.push.PostgresPushQueueStore;
import chatmail.push.PushQueueStore;
import chatmail.store.MailStore;
import chatmail.store.postgresql.ClusterEvents;
import chatmail.store.postgresql.Leases;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.store.postgresql.PostgresMailStore;
import chatmail.turn.SharedTurnSecret;
import chatmail.turn.TurnSecretSource;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code storage = postgresql}: the state of every node in one shared database (SCALE-1,
 * SCALE-2), the ACME state and the account-creation switch included. What stays per node is in
 * {@code data_dir}: the spool, the DKIM key (deployed alike), its own {@code nocreate} file
 * (docs/scale-out.md says what is shared).
 */
final class PostgresStorage implements Storage {
    /** Connections per node: enough for the store's callers, few enough for many nodes on one server. */
    static final int POOL_SIZE = 16;

    private final PostgresDatabase db;
    private final ClusterEvents events;
    private final PostgresMailStore store;
    private final PostgresOutboundQueueStore outbound;
    private final PostgresPushQueueStore push;
    private final PostgresAcmeState acme;
    private final SharedTurnSecret turnSecret;
    private final Leases leases;
    private final SharedCreationSwitch creationSwitch;

    private PostgresStorage(Config config, Clock clock, PostgresDatabase db) {
        this.db = db;
        this.events = new ClusterEvents(db);
        this.store = new PostgresMailStore(db, clock, events::send, false);
        this.outbound = new PostgresOutboundQueueStore(db);
        this.push = new PostgresPushQueueStore(db);
        this.acme = new PostgresAcmeState(db);
        this.turnSecret = new SharedTurnSecret(db);
        this.leases = new Leases(db);
        this.creationSwitch = new SharedCreationSwitch(db, false);
    }

    static PostgresStorage open(Config config, Clock clock) {
        PostgresDatabase db = PostgresDatabase.open(config.storage(), POOL_SIZE);
        try {
            PostgresStorage storage = new PostgresStorage(config, clock, db);
            storage.store.afterAccountDeleted(storage.events::sendAccountDeleted);
            storage.events.start(storage.store.hub(), storage.store::mailboxes);
            return storage;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Cross-node mailbox events (for tests and metrics). */
    ClusterEvents events() {
        return events;
    }

    /** The shared account-creation switch with a connection of its own, for the command that sets it. */
    static CreationSwitch openCreationSwitchOnly(Config config) {
        return new SharedCreationSwitch(PostgresDatabase.open(config.storage(), 1), true);
    }

    /** A mail store that owns its database connection, for commands that need nothing else. */
    static MailStore openMailStoreOnly(Config config, Clock clock) {
        PostgresDatabase db = PostgresDatabase.open(config.storage(), 4);
        return new PostgresMailStore(db, clock, events -> { }, true);
    }

    @Override
    public MailStore mailStore() {
        return store;
    }

    @Override
    public OutboundQueueStore outboundQueue() {
        return outbound;
    }

    @Override
    public PushQueueStore pushQueue() {
        return push;
    }

    @Override
    public AcmeState acmeState() {
        return acme;
    }

    @Override
    public Optional<CreationSwitch> sharedCreationSwitch() {
        return Optional.of(creationSwitch);
    }

    @Override
    public TurnSecretSource turnSecret() {
        return turnSecret;
    }

    @Override
    public void onAccountDeletedElsewhere(java.util.function.LongConsumer endSessions) {
        events.onAccountDeleted(endSessions);
    }

    @Override
    public boolean takeTurn(String job, java.time.Instant now, java.time.Duration length) {
        return leases.tryTake(job, now, now.plus(length));
    }

    @Override
    public void endTurn(String job) {
        leases.release(job);
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public String node() {
        return db.node();
    }

    @Override
    public void registerMetrics(chatmail.metrics.Metrics metrics) {
        metrics.counterWithCallback("chatmail_cluster_notifications_sent",
                "Notifications of mailbox changes and account deletions sent to the other nodes.", events::sent);
        metrics.counterWithCallback("chatmail_cluster_notify_batches",
                "Statements that sent notifications to the other nodes (one per batch).", events::batches);
        metrics.counterWithCallback("chatmail_cluster_notify_batches_dropped",
                "Batches of notifications dropped after their retry failed; each makes every node re-check its IDLE "
                        + "sessions once this node reaches PostgreSQL again.", events::dropped);
        metrics.counterWithCallback("chatmail_cluster_recheck_requests",
                "Requests this node sent after dropped batches, that every node re-check its IDLE sessions.",
                events::recheckRequests);
        metrics.counterWithCallback("chatmail_cluster_notifications_received",
                "Notifications heard from other nodes.", events::received);
        metrics.counterWithCallback("chatmail_cluster_listener_reconnects",
                "Times the LISTEN connection was lost and made again (each re-checks every local IDLE session).",
                events::reconnects);
    }

    @Override
    public java.util.Optional<ClusterEventCounts> clusterEvents() {
        return java.util.Optional.of(new ClusterEventCounts(events.sent(), events.batches(), events.dropped(),
                events.received(), events.reconnects()));
    }

    @Override
    public void close() {
        events.close();
        outbound.close();
        db.close();
    }
}
