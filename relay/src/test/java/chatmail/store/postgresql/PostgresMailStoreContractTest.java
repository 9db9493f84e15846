package chatmail.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.store.MailStore;
import chatmail.store.MailStoreContract;
import chatmail.testing.MutableClock;
import chatmail.testing.TestPostgres;
import org.junit.jupiter.api.Test;

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

    /** The shared store answers the IDLE re-read from the changed rows (issue 16), not via a snapshot. */
    @Test
    void changesAreReadWithoutTheWholeMailbox() {
        assertThat(changesAfterDeliveryAndFlagChange()).isPresent();
    }
}
