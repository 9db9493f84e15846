package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Mailbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mailbox commands older clients use (IMAP-2): LIST, CREATE, STATUS, APPEND, COPY, MOVE, SEARCH. */
class ImapMailboxTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ImapFixture.start(dir, b -> b.maxMailboxSize = 100_000);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private long uidValidity(String name) {
        return fx.relay.relay().store().mailbox(fx.account.id(), name).map(Mailbox::uidValidity).orElseThrow();
    }

    @Test
    void listWithSpecialUseAttributes() throws Exception {
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("a", "LIST \"\" \"\"")).containsExactly("* LIST (\\Noselect) \".\" \"\"", "a OK List completed.");
            for (String name : new String[] {"DeltaChat", "Sent", "Drafts", "Trash", "Junk"}) {
                assertThat(c.command("c", "CREATE " + name)).containsExactly("c OK Create completed.");
            }
            assertThat(c.command("d", "CREATE Sent")).containsExactly("d NO [ALREADYEXISTS] Mailbox already exists.");
            assertThat(c.command("e", "CREATE inbox")).containsExactly("e NO [ALREADYEXISTS] Mailbox already exists.");
            assertThat(c.command("f", "LIST \"\" \"*\"")).containsExactly(
                    "* LIST (\\HasNoChildren) \".\" INBOX",
                    "* LIST (\\HasNoChildren) \".\" DeltaChat",
                    "* LIST (\\HasNoChildren \\Sent) \".\" Sent",
                    "* LIST (\\HasNoChildren \\Drafts) \".\" Drafts",
                    "* LIST (\\HasNoChildren \\Trash) \".\" Trash",
                    "* LIST (\\HasNoChildren \\Junk) \".\" Junk",
                    "f OK List completed.");
            assertThat(c.command("g", "LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE)")).containsExactly(
                    "* LIST (\\HasNoChildren \\Sent) \".\" Sent",
                    "* LIST (\\HasNoChildren \\Drafts) \".\" Drafts",
                    "* LIST (\\HasNoChildren \\Trash) \".\" Trash",
                    "* LIST (\\HasNoChildren \\Junk) \".\" Junk",
                    "g OK List completed.");
            assertThat(c.command("h", "LIST \"\" D%")).containsExactly(
                    "* LIST (\\HasNoChildren) \".\" DeltaChat",
                    "* LIST (\\HasNoChildren \\Drafts) \".\" Drafts",
                    "h OK List completed.");
            assertThat(c.command("i", "LSUB \"\" inbox")).containsExactly("* LSUB () \".\" INBOX", "i OK Lsub completed.");
            assertThat(c.command("j", "SUBSCRIBE DeltaChat")).containsExactly("j OK Subscribe completed.");
            assertThat(c.command("k", "DELETE DeltaChat")).containsExactly("k NO [CANNOT] Mailboxes cannot be deleted on this server.");
        }
    }

    @Test
    void statusCounts() throws Exception {
        fx.deliver(ImapFixture.small(1));
        fx.deliver(ImapFixture.small(2));
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            c.ok("STORE 1 +FLAGS (\\Seen)");
            assertThat(c.command("a", "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)")).containsExactly(
                    "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY " + uidValidity("INBOX") + " UNSEEN 1 HIGHESTMODSEQ 4)",
                    "a OK Status completed.");
            assertThat(c.command("b", "STATUS Nope (MESSAGES)")).containsExactly("b NO [NONEXISTENT] Mailbox doesn't exist.");
            assertThat(c.command("c", "STATUS INBOX (COLOR)")).containsExactly(
                    "c BAD Error in IMAP command STATUS: Invalid status item COLOR");
        }
    }

    @Test
    void appendReturnsAppendUidAndTheSelectedSessionSeesExists() throws Exception {
        byte[] m = ImapFixture.small(5);
        try (ImapTestClient c = fx.client()) {
            c.ok("CREATE DeltaChat");
            c.ok("SELECT DeltaChat");
            c.send("a APPEND DeltaChat (\\Seen) \" 7-Feb-2025 10:00:00 +0100\" {" + m.length + "}\r\n");
            assertThat(c.line()).isEqualTo("+ OK");
            c.send(m);
            c.send("\r\n");
            assertThat(c.until("a")).containsExactly("* 1 EXISTS",
                    "a OK [APPENDUID " + uidValidity("DeltaChat") + " 1] Append completed.");
            assertThat(c.command("b", "UID FETCH 1 (FLAGS INTERNALDATE BODY.PEEK[])")).containsExactly(
                    "* 1 FETCH (UID 1 FLAGS (\\Seen) INTERNALDATE \"07-Feb-2025 09:00:00 +0000\" BODY[] "
                            + ImapFetchTest.lit(new String(m, StandardCharsets.UTF_8)) + ")",
                    "b OK Fetch completed.");
            // Non-synchronizing literal, no flags, to a mailbox that is not selected.
            c.send("c APPEND INBOX {" + m.length + "+}\r\n");
            c.send(m);
            c.send("\r\n");
            assertThat(c.until("c")).containsExactly("c OK [APPENDUID " + uidValidity("INBOX") + " 1] Append completed.");
            assertThat(c.command("d", "APPEND Nope {1+}\r\nx")).containsExactly("d NO [TRYCREATE] Mailbox doesn't exist.");
        }
    }

    @Test
    void appendOverQuotaIsRefused() throws Exception {
        byte[] big = ("Subject: x\r\n\r\n" + "y".repeat(60_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (ImapTestClient c = fx.client()) {
            c.send("a APPEND INBOX {" + big.length + "+}\r\n");
            c.send(big);
            c.send("\r\n");
            assertThat(c.until("a").getLast()).startsWith("a OK [APPENDUID ");
            c.send("b APPEND INBOX {" + big.length + "+}\r\n");
            c.send(big);
            c.send("\r\n");
            assertThat(c.until("b")).containsExactly("b NO [OVERQUOTA] Quota exceeded");
        }
    }

    @Test
    void copyAndMoveAnswerCopyUid() throws Exception {
        for (int i = 1; i <= 3; i++) {
            fx.deliver(ImapFixture.small(i));
        }
        try (ImapTestClient c = fx.client()) {
            c.ok("CREATE DeltaChat");
            c.ok("CREATE Trash");
            c.ok("SELECT INBOX");
            long dc = uidValidity("DeltaChat");
            assertThat(c.command("a", "UID COPY 1:2 DeltaChat")).containsExactly("a OK [COPYUID " + dc + " 1:2 1:2] Copy completed.");
            assertThat(c.command("b", "UID MOVE 2:3 DeltaChat")).containsExactly(
                    "* OK [COPYUID " + dc + " 2:3 3:4] Moved UIDs.",
                    "* 3 EXPUNGE",
                    "* 2 EXPUNGE",
                    "b OK Move completed.");
            assertThat(c.command("c", "MOVE 1 Trash")).containsExactly(
                    "* OK [COPYUID " + uidValidity("Trash") + " 1 1] Moved UIDs.",
                    "* 1 EXPUNGE",
                    "c OK Move completed.");
            assertThat(c.command("d", "UID COPY 1 Nope")).containsExactly("d NO [TRYCREATE] Mailbox doesn't exist.");
            assertThat(c.command("e", "STATUS DeltaChat (MESSAGES UIDNEXT)")).containsExactly(
                    "* STATUS DeltaChat (MESSAGES 4 UIDNEXT 5)", "e OK Status completed.");
            c.ok("SELECT DeltaChat");
            assertThat(c.command("f", "UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")).containsExactly(
                    "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (MESSAGE-ID)] " + ImapFetchTest.lit("Message-ID: <small1@example.org>\r\n\r\n") + ")",
                    "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (MESSAGE-ID)] " + ImapFetchTest.lit("Message-ID: <small2@example.org>\r\n\r\n") + ")",
                    "* 3 FETCH (UID 3 BODY[HEADER.FIELDS (MESSAGE-ID)] " + ImapFetchTest.lit("Message-ID: <small2@example.org>\r\n\r\n") + ")",
                    "* 4 FETCH (UID 4 BODY[HEADER.FIELDS (MESSAGE-ID)] " + ImapFetchTest.lit("Message-ID: <small3@example.org>\r\n\r\n") + ")",
                    "f OK Fetch completed.");
        }
    }

    @Test
    void search() throws Exception {
        for (int i = 1; i <= 4; i++) {
            fx.deliver(ImapFixture.small(i));
        }
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            c.ok("UID STORE 2,4 +FLAGS.SILENT (\\Seen)");
            c.ok("UID STORE 3 +FLAGS.SILENT (\\Deleted)");
            assertThat(c.command("a", "UID SEARCH ALL")).containsExactly("* SEARCH 1 2 3 4", "a OK Search completed.");
            assertThat(c.command("b", "SEARCH UNSEEN")).containsExactly("* SEARCH 1 3", "b OK Search completed.");
            assertThat(c.command("c", "UID SEARCH SEEN UID 3:*")).containsExactly("* SEARCH 4", "c OK Search completed.");
            assertThat(c.command("d", "SEARCH DELETED")).containsExactly("* SEARCH 3", "d OK Search completed.");
            assertThat(c.command("e", "SEARCH UNDELETED 2:3")).containsExactly("* SEARCH 2", "e OK Search completed.");
            assertThat(c.command("f", "UID SEARCH HEADER Message-ID <small3@example.org>")).containsExactly(
                    "* SEARCH 3", "f OK Search completed.");
            assertThat(c.command("g", "SEARCH OR UID 1 BODY \"BODY 4\"")).containsExactly("* SEARCH 1 4", "g OK Search completed.");
            assertThat(c.command("h", "SEARCH SINCE 1-Jan-2000 NOT BEFORE 1-Jan-1990")).containsExactly(
                    "* SEARCH 1 2 3 4", "h OK Search completed.");
            assertThat(c.command("i", "SEARCH BEFORE 1-Jan-2000")).containsExactly("* SEARCH", "i OK Search completed.");
            assertThat(c.command("j", "SEARCH CHARSET KOI8-R ALL")).containsExactly(
                    "j NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset.");
        }
    }
}
