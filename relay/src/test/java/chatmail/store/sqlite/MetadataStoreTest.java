package chatmail.store.sqlite;

import chatmail.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Account;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-valued account metadata: the push device tokens IMAP SETMETADATA stores (IMAP-5). */
class MetadataStoreTest {
    private static final String TOKEN = "/private/devicetoken";
    private static final Duration LIFETIME = Duration.ofDays(90);

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-10T12:00:00Z"));
    private SqliteMailStore store;
    private Account alice;
    private Account bob;

    @BeforeEach
    void open() {
        store = SqliteMailStore.open(dataDir, clock);
        alice = store.createAccountIfAbsent("alice@x.test", "h", LocalDate.of(2025, 3, 10));
        bob = store.createAccountIfAbsent("bob@x.test", "h", LocalDate.of(2025, 3, 10));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void add(Account a, String token) {
        store.addMetadataValue(a.id(), TOKEN, token, clock.instant().plus(LIFETIME), 3);
    }

    @Test
    void keepsSeveralTokensPerAccountInOrderOfLastSet() {
        add(alice, "t1");
        clock.advance(Duration.ofSeconds(1));
        add(alice, "t2");
        clock.advance(Duration.ofSeconds(1));
        add(bob, "b1");
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("t1", "t2");
        assertThat(store.metadataValues(bob.id(), TOKEN, clock.instant())).containsExactly("b1");
        clock.advance(Duration.ofSeconds(1));
        add(alice, "t1");
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("t2", "t1");
    }

    @Test
    void eachTokenExpiresNinetyDaysAfterItsLastSet() {
        add(alice, "old");
        clock.advance(Duration.ofDays(60));
        add(alice, "new");
        clock.advance(Duration.ofDays(31));
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("new");
        add(alice, "new");
        clock.advance(Duration.ofDays(89));
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("new");
        clock.advance(Duration.ofDays(2));
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).isEmpty();
    }

    @Test
    void oldestTokenGoesBeyondTheLimit() {
        for (String t : new String[] {"a", "b", "c", "d"}) {
            add(alice, t);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("b", "c", "d");
    }

    @Test
    void removeOneClearAllAndSurviveReopen() {
        add(alice, "a");
        clock.advance(Duration.ofSeconds(1));
        add(alice, "b");
        store.removeMetadataValue(alice.id(), TOKEN, "a");
        store.close();
        store = SqliteMailStore.open(dataDir, clock);
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).containsExactly("b");
        store.clearMetadata(alice.id(), TOKEN);
        assertThat(store.metadataValues(alice.id(), TOKEN, clock.instant())).isEmpty();
    }

    @Test
    void deletedAccountTakesItsTokens() {
        add(alice, "a");
        store.deleteAccount(alice.id());
        Account again = store.createAccountIfAbsent("alice@x.test", "h", LocalDate.of(2025, 3, 10));
        assertThat(store.metadataValues(again.id(), TOKEN, clock.instant())).isEmpty();
    }
}
