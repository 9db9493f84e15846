package chatmail.delivery;

import chatmail.store.MailStore;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.store.postgresql.PostgresMailStore;
import chatmail.testing.TestPostgres;

/**
 * IMAP-6's trim and SMTP-4's full-mailbox check on PostgreSQL, whose usage is a count kept per
 * mailbox rather than a sum over the messages (issue 16).
 */
class PostgresQuotaTrimTest extends QuotaTrimTest {
    @Override
    MailStore openStore() {
        return new PostgresMailStore(PostgresDatabase.open(TestPostgres.get().newDatabase(), 4), clock, events -> { },
                true);
    }
}
