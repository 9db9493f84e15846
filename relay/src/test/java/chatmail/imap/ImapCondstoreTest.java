package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CONDSTORE (RFC 7162) as older clients use it: SELECT (CONDSTORE), CHANGEDSINCE, UNCHANGEDSINCE. */
class ImapCondstoreTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ImapFixture.start(dir);
        for (int i = 1; i <= 3; i++) {
            fx.deliver(ImapFixture.small(i)); // modseqs 2, 3, 4
        }
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void changedSinceReturnsOnlyNewerChangesWithTheirModseq() throws Exception {
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "SELECT INBOX (CONDSTORE)")).contains("* OK [HIGHESTMODSEQ 4] Highest");
            assertThat(c.command("b", "UID STORE 1 +FLAGS (\\Seen)")).containsExactly(
                    "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (5))", "b OK Store completed.");
            assertThat(c.command("c", "UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 3)")).containsExactly(
                    "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (5))",
                    "* 3 FETCH (UID 3 FLAGS () MODSEQ (4))",
                    "c OK Fetch completed.");
            assertThat(c.command("d", "FETCH 2 (MODSEQ)")).containsExactly("* 2 FETCH (MODSEQ (3))", "d OK Fetch completed.");
            assertThat(c.command("e", "UID SEARCH MODSEQ 4")).containsExactly("* SEARCH 1 3 (MODSEQ 5)", "e OK Search completed.");
        }
    }

    @Test
    void unchangedSinceRefusesMessagesChangedMeanwhile() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX (CONDSTORE)");
            c.ok("UID STORE 2 +FLAGS.SILENT (\\Flagged)"); // modseq 5
            assertThat(c.command("a", "UID STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS (\\Seen)")).containsExactly(
                    "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (6))",
                    "* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (6))",
                    "a OK [MODIFIED 2] Conditional STORE failed.");
        }
    }

    @Test
    void otherSessionsChangesCarryModseqOnceCondstoreIsOn() throws Exception {
        try (ImapTestClient a = fx.client(); ImapTestClient b = fx.client()) {
            a.ok("SELECT INBOX");
            assertThat(b.command("x", "ENABLE CONDSTORE")).containsExactly("* ENABLED CONDSTORE", "x OK Enabled.");
            assertThat(b.command("y", "SELECT INBOX")).contains("* OK [HIGHESTMODSEQ 4] Highest");
            a.ok("UID STORE 3 +FLAGS.SILENT (\\Seen)");
            assertThat(b.command("z", "NOOP")).containsExactly("* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (5))", "z OK NOOP completed.");
        }
    }
}
