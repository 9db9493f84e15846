package chatmail.imap;

import chatmail.config.Config;
import chatmail.testing.TestPostgres;

/**
 * The IDLE tests on {@code storage = postgresql} (SCALE-1): SMTP submission, store, IMAP FETCH
 * and IDLE through a relay whose state is in PostgreSQL.
 */
class PostgresImapIdleTest extends ImapIdleTest {
    @Override
    void storage(Config.Builder b) {
        b.storage = TestPostgres.get().newDatabase();
    }
}
