package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-4 over the wire: a sequence set costs what the mailbox holds, never the numbers it
 * names, and one set has at most 1,000 elements.
 */
class ImapSequenceSetTest {
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
    void theWholeNumberRangeCostsNothingBeyondTheMailbox() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            assertThat(c.command("a", "UID FETCH 1:4294967295 (UID)")).containsExactly(
                    "* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)", "a OK Fetch completed.");
            assertThat(c.command("b", "UID SEARCH UID 4294967295:1,2")).containsExactly(
                    "* SEARCH 1 2 3", "b OK Search completed.");
            assertThat(c.command("c", "FETCH 1:4294967295 (UID)"))
                    .containsExactly("c BAD Error in IMAP command FETCH: Invalid messageset");
            assertThat(c.command("d", "UID STORE 1:4294967295,1:4294967295 +FLAGS.SILENT (\\Deleted)"))
                    .containsExactly("d OK Store completed.");
            assertThat(c.command("e", "UID EXPUNGE 2:4294967295")).containsExactly(
                    "* 3 EXPUNGE", "* 2 EXPUNGE", "e OK Expunge completed.");
        }
    }

    @Test
    void aSetOfAThousandElementsIsTakenAndOneMoreIsRefused() throws Exception {
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            String thousand = String.join(",", Collections.nCopies(1000, "2"));
            assertThat(c.command("a", "UID FETCH " + thousand + " (UID)"))
                    .containsExactly("* 2 FETCH (UID 2)", "a OK Fetch completed.");
            assertThat(c.command("b", "UID FETCH " + thousand + ",3 (UID)"))
                    .containsExactly("b BAD Error in IMAP command UID FETCH: Sequence set too long");
        }
    }
}
