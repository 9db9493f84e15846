package chatmail.store.postgresql;

import chatmail.store.MailboxEvents.MailboxEvent;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/** One attempt of a store transaction: its connection and the events to announce once it commits. */
record PgTx(Connection c, List<MailboxEvent> events) {
    PgTx(Connection c) {
        this(c, new ArrayList<>());
    }

    void publishAfterCommit(MailboxEvent event) {
        events.add(event);
    }
}
