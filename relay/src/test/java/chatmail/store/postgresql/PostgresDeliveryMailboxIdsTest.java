package chatmail.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.NewMessage;
import chatmail.store.StoreException;
import chatmail.testing.MutableClock;
import chatmail.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The node's memory of delivery mailboxes (issue 16) on PostgreSQL: never a way into the wrong mailbox. */
class PostgresDeliveryMailboxIdsTest {

    /** Another node deletes the account after this node remembered its INBOX: the delivery fails, nothing is stored. */
    @Test
    void anAccountDeletedOnAnotherNodeTakesNoDelivery() {
        StorageSettings database = TestPostgres.get().newDatabase();
        MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
        try (PostgresMailStore node1 = new PostgresMailStore(PostgresDatabase.open(database, 2), clock, e -> { }, true);
                PostgresMailStore node2 = new PostgresMailStore(PostgresDatabase.open(database, 2), clock, e -> { }, true)) {
            Account alice = node1.createAccountIfAbsent("alice@example.org", "hash", LocalDate.of(2025, 3, 10));
            long inbox = node1.deliveryMailboxId(alice.id(), "INBOX");
            node2.deleteAccount(alice.id());
            Account again = node2.createAccountIfAbsent("alice@example.org", "hash", LocalDate.of(2025, 3, 10));

            assertThat(node1.deliveryMailboxId(alice.id(), "INBOX")).isEqualTo(inbox);
            Assertions.assertThatThrownBy(() -> node1.deliver(new NewMessage("Subject: x\r\n\r\nx".getBytes(
                    StandardCharsets.US_ASCII), clock.instant()), List.of(new DeliveryTarget(inbox, Set.of()))))
                    .isInstanceOf(StoreException.class);
            long newInbox = node1.deliveryMailboxId(again.id(), "INBOX");
            assertThat(newInbox).isNotEqualTo(inbox);
            assertThat(node1.snapshot(newInbox).messages()).isEmpty();
            assertThat(node1.usage(again.id())).isZero();
        }
    }
}
