package chatmail.storage;

import chatmail.account.CreationSwitch;
import chatmail.account.NocreateFile;
import chatmail.acme.AcmeState;
import chatmail.config.Config;
import chatmail.delivery.outbound.OutboundQueueStore;
import chatmail.push.PushQueueStore;
import chatmail.store.MailStore;
import chatmail.turn.TurnSecretSource;
import java.time.Clock;
import java.util.Optional;

/**
 * Everything the relay keeps beyond its config, from one backend (SPEC SCALE-1): the mail store
 * with its accounts, the outbound and push queues, and the state several nodes must share
 * (SCALE-2: ACME account, certificate and challenges, the TURN secret, the account-creation
 * switch). {@code storage = sqlite}
 * keeps it in {@code data_dir} for one node; {@code storage = postgresql} in one database that
 * any number of identical nodes share.
 *
 * <p>The parts are opened together and closed together, after every component that uses them.
 */
public interface Storage extends AutoCloseable {

    MailStore mailStore();

    OutboundQueueStore outboundQueue();

    PushQueueStore pushQueue();

    AcmeState acmeState();

    /**
     * The account-creation switch every node reads (SCALE-2), beside each node's own
     * {@code data_dir/nocreate}; empty on one node, where that file is the switch.
     */
    default Optional<CreationSwitch> sharedCreationSwitch() {
        return Optional.empty();
    }

    /** The TURN secret when {@code turn_secret} is not set. */
    TurnSecretSource turnSecret();

    /**
     * True when other nodes may use the same storage: queue figures are then cluster-wide, and
     * claims left by a dead process run out instead of being cleared at start.
     */
    boolean shared();

    /**
     * This process among the nodes that use the storage: the holder of its queue claims, as
     * metrics ({@code chatmail_node_info}) and {@code chatmail status} name it. Random per start.
     */
    String node();

    /** Registers the storage's own metrics (PostgreSQL: the cross-node notifications). */
    default void registerMetrics(chatmail.metrics.Metrics metrics) {
    }

    /** This node's cross-node notifications so far, for {@code chatmail status}; empty for one node alone. */
    default java.util.Optional<ClusterEventCounts> clusterEvents() {
        return java.util.Optional.empty();
    }

    /**
     * Where an account deleted by another node ends its sessions on this one (SEC-9 on every
     * node). One node alone never hears of such a deletion.
     */
    default void onAccountDeletedElsewhere(java.util.function.LongConsumer endSessions) {
    }

    /**
     * Whether this node may run a once-only job (the daily expiry) now: takes the job's lease
     * until {@code now + length} unless another node holds it. One node alone always may.
     */
    default boolean takeTurn(String job, java.time.Instant now, java.time.Duration length) {
        return true;
    }

    /** Gives the lease {@link #takeTurn} took up before it runs out. */
    default void endTurn(String job) {
    }

    @Override
    void close();

    /** Opens the backend {@code storage} names, creating or migrating its schema as needed. */
    static Storage open(Config config, Clock clock) {
        return switch (config.storage().kind()) {
            case SQLITE -> SqliteStorage.open(config, clock);
            case POSTGRESQL -> PostgresStorage.open(config, clock);
        };
    }

    /**
     * The switch {@code chatmail accounts creation} sets: the shared one with PostgreSQL, the
     * {@code data_dir/nocreate} file with SQLite (one node: the file is the relay's switch).
     */
    static CreationSwitch openCreationSwitch(Config config) {
        return switch (config.storage().kind()) {
            case SQLITE -> new NocreateFile(config.dataDir());
            case POSTGRESQL -> PostgresStorage.openCreationSwitchOnly(config);
        };
    }

    /** Only the mail store, for the commands that work on stored data while no relay runs (import, expire). */
    static MailStore openMailStore(Config config, Clock clock) {
        return switch (config.storage().kind()) {
            case SQLITE -> chatmail.store.sqlite.SqliteMailStore.open(config.dataDir(), clock);
            case POSTGRESQL -> PostgresStorage.openMailStoreOnly(config, clock);
        };
    }
}
