package chatmail.account;

import chatmail.config.Config;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** Accounts over a real SQLite store in a temporary directory, with a moved clock and a probe the test sets. */
final class AccountsFixture implements AutoCloseable {

    static final String DOMAIN = "chatmail.localhost";

    final MutableClock clock = new MutableClock();
    final AtomicReference<ResourceProbe.Resources> resources =
            new AtomicReference<>(ResourceProbe.ample().current());
    final Config config;
    final SqliteMailStore store;
    final Accounts accounts;

    AccountsFixture(Path dataDir) {
        this(dataDir, b -> { });
    }

    AccountsFixture(Path dataDir, Consumer<Config.Builder> adjust) {
        Config.Builder b = Config.builder(DOMAIN);
        b.dataDir = dataDir;
        adjust.accept(b);
        config = b.build();
        store = SqliteMailStore.open(dataDir, clock);
        accounts = new Accounts(config, store, resources::get, clock);
    }

    static String address(String localPart) {
        return localPart + "@" + DOMAIN;
    }

    @Override
    public void close() {
        store.close();
    }
}
