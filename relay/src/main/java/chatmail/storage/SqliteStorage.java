package chatmail.storage;

import chatmail.acme.AcmeState;
import chatmail.acme.FileAcmeState;
import chatmail.config.Config;
import chatmail.delivery.outbound.OutboundQueueStore;
import chatmail.delivery.outbound.SqliteOutboundQueueStore;
import chatmail.push.PushQueueStore;
import chatmail.push.SqlitePushQueueStore;
import chatmail.store.MailStore;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.turn.TurnSecretFile;
import chatmail.turn.TurnSecretSource;
import java.time.Clock;

/** {@code storage = sqlite}: one node's state in {@code data_dir} (the database file and its side files). */
final class SqliteStorage implements Storage {
    private final SqliteMailStore store;
    private final SqliteOutboundQueueStore outbound;
    private final SqlitePushQueueStore push;
    private final FileAcmeState acme;
    private final TurnSecretFile turnSecret;
    private final String node = java.util.UUID.randomUUID().toString();

    private SqliteStorage(Config config, SqliteMailStore store, SqliteOutboundQueueStore outbound,
                          SqlitePushQueueStore push) {
        this.store = store;
        this.outbound = outbound;
        this.push = push;
        this.acme = new FileAcmeState(config.dataDir());
        this.turnSecret = new TurnSecretFile(config.dataDir());
    }

    static SqliteStorage open(Config config, Clock clock) {
        SqliteMailStore store = SqliteMailStore.open(config.dataDir(), clock);
        SqliteOutboundQueueStore outbound = null;
        try {
            outbound = SqliteOutboundQueueStore.open(config.dataDir());
            // On the mail store's threads: its writes join the store's group commits.
            SqlitePushQueueStore push = SqlitePushQueueStore.on(store);
            return new SqliteStorage(config, store, outbound, push);
        } catch (RuntimeException e) {
            if (outbound != null) {
                outbound.close();
            }
            store.close();
            throw e;
        }
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
    public TurnSecretSource turnSecret() {
        return turnSecret;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String node() {
        return node;
    }

    /** The queues first: they share the store's database file, whose owner closes last. */
    @Override
    public void close() {
        try {
            push.close();
        } finally {
            try {
                outbound.close();
            } finally {
                store.close();
            }
        }
    }
}
