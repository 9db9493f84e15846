package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STORE, EXPUNGE, CLOSE, and what one session learns of another's changes (RFC 3501 7.4.1). */
class ImapStoreExpungeTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ImapFixture.start(dir);
        for (int i = 1; i <= 3; i++) {
            fx.deliver(ImapFixture.small(i));
        }
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void deltaChatDeletesWithStoreAndClose() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            assertThat(c.command("a", "UID STORE 2 +FLAGS (\\Deleted)")).containsExactly(
                    "* 2 FETCH (UID 2 FLAGS (\\Deleted))", "a OK Store completed.");
            assertThat(c.command("b", "UID STORE 1 +FLAGS.SILENT (\\Seen)")).containsExactly("b OK Store completed.");
            assertThat(c.command("c", "CLOSE")).containsExactly("c OK Close completed.");
            assertThat(c.command("d", "FETCH 1 FLAGS")).containsExactly("d BAD No mailbox selected.");
            c.ok("SELECT INBOX");
            assertThat(c.command("e", "UID FETCH 1:* (UID FLAGS)")).containsExactly(
                    "* 1 FETCH (UID 1 FLAGS (\\Seen))", "* 2 FETCH (UID 3 FLAGS ())", "e OK Fetch completed.");
        }
        assertThat(fx.relay.relay().store().usage(fx.account.id()))
                .isEqualTo(ImapFixture.small(1).length + ImapFixture.small(3).length);
    }

    @Test
    void storeForms() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            assertThat(c.command("a", "STORE 1:2 FLAGS ($Label \\Flagged)")).containsExactly(
                    "* 1 FETCH (FLAGS (\\Flagged $Label))", "* 2 FETCH (FLAGS (\\Flagged $Label))", "a OK Store completed.");
            assertThat(c.command("b", "STORE 2 -FLAGS $Label")).containsExactly(
                    "* 2 FETCH (FLAGS (\\Flagged))", "b OK Store completed.");
            assertThat(c.command("c", "STORE 1 +FLAGS (\\Bogus)")).containsExactly(
                    "c BAD Error in IMAP command STORE: Invalid system flag");
            assertThat(c.command("d", "STORE 4 +FLAGS (\\Seen)")).containsExactly(
                    "d BAD Error in IMAP command STORE: Invalid messageset");
            assertThat(c.command("e", "UID STORE 9:10 +FLAGS (\\Seen)")).containsExactly("e OK Store completed.");
        }
    }

    @Test
    void expungeAndUidExpungeReportEachMessage() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            c.ok("STORE 1:3 +FLAGS.SILENT (\\Deleted)");
            assertThat(c.command("a", "UID EXPUNGE 2")).containsExactly("* 2 EXPUNGE", "a OK Expunge completed.");
            assertThat(c.command("b", "EXPUNGE")).containsExactly("* 2 EXPUNGE", "* 1 EXPUNGE", "b OK Expunge completed.");
            assertThat(c.command("c", "UID FETCH 1:* (UID)")).containsExactly("c OK Fetch completed.");
            assertThat(c.command("d", "FETCH 1:* (UID)")).containsExactly("d BAD Error in IMAP command FETCH: Invalid messageset");
        }
    }

    @Test
    void twoSessionsSeeEachOthersFlagChangesAndExpunges() throws Exception {
        try (ImapTestClient a = fx.client(); ImapTestClient b = fx.client()) {
            a.ok("SELECT INBOX");
            b.ok("SELECT INBOX");
            assertThat(a.command("a1", "UID STORE 1 +FLAGS.SILENT (\\Seen)")).containsExactly("a1 OK Store completed.");
            assertThat(b.command("b1", "NOOP")).containsExactly("* 1 FETCH (UID 1 FLAGS (\\Seen))", "b1 OK NOOP completed.");
            // Reported once only.
            assertThat(b.command("b2", "NOOP")).containsExactly("b2 OK NOOP completed.");

            a.ok("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
            assertThat(a.command("a2", "EXPUNGE")).containsExactly("* 2 EXPUNGE", "a2 OK Expunge completed.");
            // During FETCH by sequence number the expunge is held back: numbers must not shift.
            // The expunged message itself is left out (RFC 2180 4.1.2).
            assertThat(b.command("b3", "FETCH 2:3 (UID)")).containsExactly("* 3 FETCH (UID 3)", "b3 OK Fetch completed.");
            assertThat(b.command("b4", "SEARCH ALL")).containsExactly("* SEARCH 1 3", "b4 OK Search completed.");
            // A UID command may carry it.
            assertThat(b.command("b5", "UID FETCH 3 (UID)")).containsExactly(
                    "* 3 FETCH (UID 3)", "* 2 EXPUNGE", "b5 OK Fetch completed.");
            assertThat(b.command("b6", "FETCH 1:* (UID)")).containsExactly(
                    "* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "b6 OK Fetch completed.");

            // A new message reaches the other session as EXISTS.
            fx.deliver(ImapFixture.small(4));
            assertThat(a.command("a3", "NOOP")).containsExactly("* 3 EXISTS", "a3 OK NOOP completed.");
            assertThat(b.command("b7", "CHECK")).containsExactly("* 3 EXISTS", "b7 OK Check completed.");
        }
    }
}
