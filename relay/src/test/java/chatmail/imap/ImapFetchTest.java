package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Mailbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Delta Chat sends after login must work exactly (IMAP-1): SELECT, UID FETCH, STORE, CLOSE. */
class ImapFetchTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ImapFixture.start(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    /** A literal as the server writes it. */
    static String lit(String s) {
        return "{" + s.getBytes(StandardCharsets.UTF_8).length + "}\r\n" + s;
    }

    private long uidValidity() {
        return fx.relay.relay().store().mailbox(fx.account.id(), "INBOX").map(Mailbox::uidValidity).orElseThrow();
    }

    @Test
    void selectReportsCountersAndUidValidity() throws Exception {
        fx.deliver(ImapFixture.small(1));
        fx.deliver(ImapFixture.small(2));
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("s", "SELECT \"INBOX\"")).containsExactly(
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.",
                    "* 2 EXISTS",
                    "* 0 RECENT",
                    "* OK [UNSEEN 1] First unseen.",
                    "* OK [UIDVALIDITY " + uidValidity() + "] UIDs valid",
                    "* OK [UIDNEXT 3] Predicted next UID",
                    "* OK [HIGHESTMODSEQ 3] Highest",
                    "s OK [READ-WRITE] Select completed.");
            assertThat(c.command("e", "EXAMINE inbox").getLast()).isEqualTo("e OK [READ-ONLY] Examine completed.");
            assertThat(c.command("n", "SELECT Nonexistent")).containsExactly("n NO [NONEXISTENT] Mailbox doesn't exist.");
            assertThat(c.command("f", "FETCH 1 FLAGS")).containsExactly("f BAD No mailbox selected.");
        }
    }

    @Test
    void deltaChatFetchSequence() throws Exception {
        byte[] m1 = ImapFixture.message(1);
        byte[] m2 = ImapFixture.message(2);
        fx.deliver(m1);
        fx.deliver(m2);
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            List<String> headers = c.command("a", "UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
                    + "(MESSAGE-ID FROM CHAT-VERSION AUTOCRYPT-SETUP-MESSAGE)])");
            assertThat(headers).containsExactly(
                    "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE " + m1.length + " BODY[HEADER.FIELDS (MESSAGE-ID FROM "
                            + "CHAT-VERSION AUTOCRYPT-SETUP-MESSAGE)] " + lit("From: <sender@example.org>\r\n"
                            + "Message-ID: <msg1@example.org>\r\nChat-Version: 1.0\r\n\r\n") + ")",
                    "* 2 FETCH (UID 2 FLAGS () RFC822.SIZE " + m2.length + " BODY[HEADER.FIELDS (MESSAGE-ID FROM "
                            + "CHAT-VERSION AUTOCRYPT-SETUP-MESSAGE)] " + lit("From: <sender@example.org>\r\n"
                            + "Message-ID: <msg2@example.org>\r\nChat-Version: 1.0\r\n\r\n") + ")",
                    "a OK Fetch completed.");
            // An explicit UID range above the highest UID names nothing: plain OK (IMAP-1).
            assertThat(c.command("b", "UID FETCH 3:502 (UID FLAGS)")).containsExactly("b OK Fetch completed.");
            // n:* always includes the last message, even with n above it (RFC 3501 6.4.8).
            assertThat(c.command("c", "UID FETCH 3:* (UID)")).containsExactly("* 2 FETCH (UID 2)", "c OK Fetch completed.");
            // The whole message, byte for byte, without setting \Seen.
            List<String> body = c.command("d", "UID FETCH 2 (BODY.PEEK[])");
            assertThat(body.getFirst()).isEqualTo("* 2 FETCH (UID 2 BODY[] {" + m2.length + "}\r\n"
                    + new String(m2, StandardCharsets.UTF_8) + ")");
            assertThat(c.command("e", "UID FETCH 2 (FLAGS)")).containsExactly("* 2 FETCH (UID 2 FLAGS ())", "e OK Fetch completed.");
        }
    }

    @Test
    void bodyWithoutPeekSetsSeenAndReportsFlags() throws Exception {
        byte[] m = ImapFixture.small(1);
        fx.deliver(m);
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            assertThat(c.command("a", "FETCH 1 (BODY[])")).containsExactly(
                    "* 1 FETCH (BODY[] {" + m.length + "}\r\n" + new String(m, StandardCharsets.UTF_8) + " FLAGS (\\Seen))",
                    "a OK Fetch completed.");
            assertThat(c.command("b", "FETCH 1 (FLAGS RFC822.HEADER)").getFirst()).startsWith(
                    "* 1 FETCH (FLAGS (\\Seen) RFC822.HEADER {");
        }
        try (ImapTestClient c = fx.client()) {
            c.ok("EXAMINE INBOX");
            // A read-only mailbox never changes flags.
            assertThat(c.command("a", "UID STORE 1 -FLAGS (\\Seen)")).containsExactly("a NO [READ-ONLY] Mailbox is read-only.");
        }
    }

    @Test
    void partialHeaderTextAndRfc822Items() throws Exception {
        byte[] m = ImapFixture.small(7);
        String text = new String(m, StandardCharsets.UTF_8);
        String header = text.substring(0, text.indexOf("\r\n\r\n") + 4);
        fx.deliver(m);
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            assertThat(c.command("a", "FETCH 1 (BODY.PEEK[]<6.8>)")).containsExactly(
                    "* 1 FETCH (BODY[]<6> {8}\r\n" + text.substring(6, 14) + ")", "a OK Fetch completed.");
            assertThat(c.command("b", "FETCH 1 (BODY.PEEK[TEXT] BODY.PEEK[HEADER])")).containsExactly(
                    "* 1 FETCH (BODY[TEXT] {8}\r\nbody 7\r\n BODY[HEADER] {" + header.length() + "}\r\n" + header + ")",
                    "b OK Fetch completed.");
            assertThat(c.command("c", "FETCH 1 (BODY.PEEK[]<500.10>)")).containsExactly(
                    "* 1 FETCH (BODY[]<500> {0}\r\n)", "c OK Fetch completed.");
            assertThat(c.command("d", "FETCH 1 (RFC822.SIZE INTERNALDATE)").getFirst()).matches(
                    "\\* 1 FETCH \\(RFC822.SIZE " + m.length + " INTERNALDATE \"\\d\\d-[A-Z][a-z]{2}-\\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000\"\\)");
            assertThat(c.command("e", "FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (FROM TO SUBJECT CHAT-VERSION)])")).containsExactly(
                    "* 1 FETCH (BODY[HEADER.FIELDS.NOT (FROM TO SUBJECT CHAT-VERSION)] " + lit("Message-ID: <small7@example.org>\r\n\r\n") + ")",
                    "e OK Fetch completed.");
        }
    }

    @Test
    void messageSequenceNumbersBeyondTheMailboxAreBad() throws Exception {
        fx.deliver(ImapFixture.small(1));
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            assertThat(c.command("a", "FETCH 2 FLAGS")).containsExactly("a BAD Error in IMAP command FETCH: Invalid messageset");
            assertThat(c.command("b", "FETCH 1:* (UID)")).containsExactly("* 1 FETCH (UID 1)", "b OK Fetch completed.");
        }
    }

    @Test
    void envelopeAndBodyStructureOfAMultipartMessage() throws Exception {
        byte[] m = ImapFixture.message(3);
        fx.deliver(m);
        try (ImapTestClient c = fx.client()) {
            c.ok("SELECT INBOX");
            String envelope = c.command("a", "FETCH 1 (ENVELOPE)").getFirst();
            assertThat(envelope).isEqualTo("* 1 FETCH (ENVELOPE (\"Wed, 26 Nov 2025 08:00:00 +0000\" \"[...]\" "
                    + "((NIL NIL \"sender\" \"example.org\")) ((NIL NIL \"sender\" \"example.org\")) "
                    + "((NIL NIL \"sender\" \"example.org\")) ((NIL NIL \"fetchuser\" \"chatmail.localhost\")) "
                    + "NIL NIL NIL \"<msg3@example.org>\"))");
            String structure = c.command("b", "FETCH 1 (BODYSTRUCTURE)").getFirst();
            assertThat(structure).startsWith("* 1 FETCH (BODYSTRUCTURE ((\"application\" \"pgp-encrypted\" NIL NIL NIL \"7bit\" 10 NIL NIL NIL NIL)"
                    + "(\"application\" \"octet-stream\" (\"name\" \"encrypted.asc\") NIL NIL \"7bit\" ");
            assertThat(structure).endsWith(" \"encrypted\" (\"protocol\" \"application/pgp-encrypted\" \"boundary\" \"Kx9Lq2Vb7Tz\") NIL NIL NIL))");
            List<String> part1 = c.command("c", "FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.MIME])");
            assertThat(part1.getFirst()).isEqualTo("* 1 FETCH (BODY[1] {10}\r\nVersion: 1 BODY[1.MIME] "
                    + lit("Content-Type: application/pgp-encrypted\r\n\r\n") + ")");
            assertThat(c.command("d", "FETCH 1 (BODY.PEEK[2])").getFirst()).startsWith("* 1 FETCH (BODY[2] {")
                    .contains("-----BEGIN PGP MESSAGE-----");
            assertThat(c.command("e", "FETCH 1 (BODY.PEEK[9])")).containsExactly("* 1 FETCH (BODY[9] {0}\r\n)", "e OK Fetch completed.");
        }
    }
}
