package chatmail.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.MessageInfo;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IMAP-6 trim, owned by delivery: a delivery that brings usage to 75 % or more removes the oldest
 * messages down to 70 %, never one younger than 24 hours. Messages of exactly 10 000 bytes
 * against a 100 000-byte quota make every percentage exact.
 */
class QuotaTrimTest {

    static final long QUOTA = 100_000;
    static final int SIZE = 10_000;

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock();
    MailStore store;
    LocalDelivery delivery;
    int sequence;

    @BeforeEach
    void open() {
        Config.Builder b = Config.builder(TestRelay.DOMAIN);
        b.dataDir = dir;
        b.maxMailboxSize = QUOTA;
        store = openStore();
        delivery = new LocalDelivery(b.build(), store, clock);
    }

    /** The embedded store; {@link PostgresQuotaTrimTest} runs the same rules on the shared one. */
    MailStore openStore() {
        return SqliteMailStore.open(dir, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Account account(String local) {
        return store.createAccountIfAbsent(TestRelay.address(local), "{SHA512-CRYPT}x", LocalDate.of(2025, 11, 26));
    }

    /** A message of exactly SIZE bytes whose Subject names it. */
    private static byte[] message(String name) {
        byte[] m = new byte[SIZE];
        Arrays.fill(m, (byte) 'x');
        byte[] head = ("Subject: " + name + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, m, 0, head.length);
        return m;
    }

    /** Delivers the next numbered message (m1, m2, …) to these accounts. */
    private String deliver(Account... to) {
        String name = "m" + (++sequence);
        delivery.deliver(message(name), List.of(to));
        return name;
    }

    private List<String> inbox(Account a) throws IOException {
        long box = store.mailbox(a.id(), "INBOX").orElseThrow().id();
        List<String> names = new ArrayList<>();
        for (MessageInfo m : store.snapshot(box).messages()) {
            String text = new String(store.content(box, m.uid()), StandardCharsets.US_ASCII);
            names.add(text.substring("Subject: ".length(), text.indexOf('\r')));
        }
        return names;
    }

    @Test
    void reaching75PercentRemovesTheOldestDownTo70Percent() throws Exception {
        Account bob = account("bob000001");
        for (int i = 0; i < 5; i++) {
            deliver(bob); // m1..m5, 50 %
        }
        clock.advance(Duration.ofHours(1));
        deliver(bob);
        deliver(bob); // m6, m7: 70 %, under the threshold
        assertThat(store.usage(bob.id())).isEqualTo(7L * SIZE);
        assertThat(inbox(bob)).hasSize(7);

        clock.advance(Duration.ofHours(23).plusMinutes(30)); // m1..m5 are 24.5 h old, m6 and m7 23.5 h
        deliver(bob); // 80 %: m1 goes, 70 %
        assertThat(inbox(bob)).containsExactly("m2", "m3", "m4", "m5", "m6", "m7", "m8");
        deliver(bob); // 80 % again: m2 goes
        assertThat(inbox(bob)).containsExactly("m3", "m4", "m5", "m6", "m7", "m8", "m9");
        assertThat(store.usage(bob.id())).isEqualTo(7L * SIZE);
    }

    @Test
    void messagesYoungerThanADayStayEvenAboveTheThreshold() throws Exception {
        Account bob = account("bob000002");
        deliver(bob); // m1: will be old
        clock.advance(Duration.ofHours(25));
        for (int i = 0; i < 7; i++) {
            deliver(bob); // m2..m8, young; at m8 (80 %) the old m1 goes: 70 %
        }
        assertThat(inbox(bob)).containsExactly("m2", "m3", "m4", "m5", "m6", "m7", "m8");
        deliver(bob);
        deliver(bob);
        deliver(bob); // 80, 90, 100 %: only young messages are left, none goes
        assertThat(inbox(bob)).containsExactly("m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11");
        assertThat(store.usage(bob.id())).isEqualTo(QUOTA);
        assertThat(delivery.check(bob.address())).isInstanceOf(RecipientStatus.MailboxFull.class);

        deliver(bob); // a message may overshoot the quota (SMTP-4); still nothing young goes
        assertThat(inbox(bob)).hasSize(11);
        assertThat(delivery.check(bob.address())).isInstanceOf(RecipientStatus.MailboxFull.class);

        clock.advance(Duration.ofHours(24).plusMinutes(1)); // now all of them are old
        // Checking a full mailbox trims it as a delivery would: 110 % down to 70 %, oldest first.
        assertThat(delivery.check(bob.address())).isInstanceOf(RecipientStatus.Deliverable.class);
        assertThat(inbox(bob)).containsExactly("m6", "m7", "m8", "m9", "m10", "m11", "m12");
    }

    @Test
    void oneDeliveryToSeveralAccountsTrimsEachOnItsOwn() throws Exception {
        Account bob = account("bob000003");
        Account carol = account("carol0003");
        for (int i = 0; i < 7; i++) {
            deliver(bob); // m1..m7
        }
        clock.advance(Duration.ofDays(2));
        deliver(carol); // m8
        // One commit for both, bob named twice: one copy each.
        String shared = deliver(bob, carol, bob); // m9
        // bob reached 80 % and lost his oldest; carol is at 20 % and lost nothing.
        assertThat(inbox(bob)).containsExactly("m2", "m3", "m4", "m5", "m6", "m7", shared);
        assertThat(inbox(carol)).containsExactly("m8", shared);
    }

    @Test
    void unknownAndFullRecipientsAreToldApart() {
        Account bob = account("bob000004");
        assertThat(delivery.check(TestRelay.address("nobody000"))).isInstanceOf(RecipientStatus.UnknownUser.class);
        assertThat(delivery.check(bob.address())).isInstanceOf(RecipientStatus.Deliverable.class);
        // The address's domain is case-insensitive.
        assertThat(delivery.check("bob000004@CHATMAIL.localhost")).isInstanceOf(RecipientStatus.Deliverable.class);
        delivery.deliver(new byte[(int) QUOTA], List.of(bob));
        assertThat(delivery.check(bob.address())).isInstanceOf(RecipientStatus.MailboxFull.class);
    }
}
