package chatmail.store.sqlite;

import chatmail.store.MailStore;
import chatmail.store.MailStoreContract;
import chatmail.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded backend (SCALE-1). */
class SqliteMailStoreContractTest extends MailStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected MailStore openFresh(MutableClock clock) {
        return SqliteMailStore.open(dataDir, clock);
    }

    @Override
    protected MailStore reopen(MutableClock clock) {
        return SqliteMailStore.open(dataDir, clock);
    }
}
