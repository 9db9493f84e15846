package chatmail.store.postgresql;

import chatmail.config.StorageSettings;
import chatmail.store.MailStore;
import chatmail.store.MailStoreContract;
import chatmail.testing.MutableClock;
import chatmail.testing.TestPostgres;

/** The store contract on the shared backend (SCALE-1), each test on a database of its own. */
class PostgresMailStoreContractTest extends MailStoreContract {
    private StorageSettings database;

    @Override
    protected MailStore openFresh(MutableClock clock) {
        database = TestPostgres.get().newDatabase();
        return reopen(clock);
    }

    @Override
    protected MailStore reopen(MutableClock clock) {
        return new PostgresMailStore(PostgresDatabase.open(database, 4), clock, events -> { }, true);
    }
}
