package chatmail.store.sqlite;

import chatmail.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailStore.FlagUpdate;
import chatmail.store.Mailbox;
import chatmail.store.MailboxEvents;
import chatmail.store.NewMessage;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change is announced to every listener before the call that made it returns: an IMAP session
 * whose STORE succeeded can rely on other sessions having been told (RFC 3501 NOOP semantics).
 */
class EventOrderTest {
    @TempDir
    Path dataDir;

    @Test
    void listenersHaveRunWhenTheWritingCallReturns() throws Exception {
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, new MutableClock(Instant.parse("2025-03-10T12:00:00Z")))) {
            Account a = store.createAccountIfAbsent("a@x.test", "h", LocalDate.of(2025, 3, 10));
            Mailbox inbox = store.mailbox(a.id(), "INBOX").orElseThrow();
            List<MailboxEvents.MailboxEvent> heard = new CopyOnWriteArrayList<>();
            // A slow listener: were events published after the caller is released, the
            // assertions below would run before it records anything.
            try (MailboxEvents.Subscription s = store.events().subscribe(a.id(), e -> {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                heard.add(e);
            })) {
                long uid = store.deliver(new NewMessage(new byte[] {'x'}, Instant.now()),
                        List.of(new DeliveryTarget(inbox.id(), Set.of()))).getFirst().uid();
                assertThat(heard).hasSize(1);
                store.updateFlags(inbox.id(), List.of(uid), FlagUpdate.ADD, Set.of("\\Seen"));
                assertThat(heard).hasSize(2);
                store.expunge(inbox.id(), List.of(uid));
                assertThat(heard).hasSize(3).last().isInstanceOf(MailboxEvents.MessagesExpunged.class);
            }
        }
    }
}
