package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Greeting, capabilities per state (IMAP-3), STARTTLS, LOGIN and AUTHENTICATE (IMAP-1, ACC-1). */
class ImapLoginTest {
    static final String BEFORE_TLS = "IMAP4rev1 STARTTLS LOGINDISABLED ID";
    static final String BEFORE_LOGIN = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN";
    static final String AFTER_LOGIN = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MOVE CONDSTORE"
            + " SPECIAL-USE METADATA QUOTA XCHATMAIL XDELTAPUSH";
    /** A password as Delta Chat generates them: letters, digits and punctuation, quotes and backslashes too. */
    static final String PASSWORD = "p\"a\\s{s}w(o)r%d*!#$&'+,-./:;<=>?@[]^_`|~";

    @TempDir
    Path dir;
    TestRelay relay;
    final String user = TestRelay.address("loginuser");

    @BeforeEach
    void start() throws Exception {
        relay = TestRelay.start(dir);
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    @Test
    void capabilitiesInEachStateOn993() throws Exception {
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            assertThat(c.line()).isEqualTo("* OK [CAPABILITY " + BEFORE_LOGIN + "] chatmail ready.");
            assertThat(c.command("a", "CAPABILITY")).containsExactly(
                    "* CAPABILITY " + BEFORE_LOGIN, "a OK Capability completed.");
            assertThat(c.command("b", "LOGIN " + ImapTestClient.quote(user) + " " + ImapTestClient.quote(PASSWORD)))
                    .containsExactly("b OK [CAPABILITY " + AFTER_LOGIN + "] Logged in");
            assertThat(c.command("c", "CAPABILITY")).containsExactly(
                    "* CAPABILITY " + AFTER_LOGIN, "c OK Capability completed.");
            assertThat(c.command("d", "LOGOUT")).containsExactly("* BYE Logging out", "d OK Logout completed.");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void port143OffersOnlyStartTlsAndRefusesPlaintextLogin() throws Exception {
        try (ImapTestClient c = ImapTestClient.imap(relay)) {
            assertThat(c.line()).isEqualTo("* OK [CAPABILITY " + BEFORE_TLS + "] chatmail ready.");
            assertThat(c.command("a", "CAPABILITY")).containsExactly("* CAPABILITY " + BEFORE_TLS, "a OK Capability completed.");
            assertThat(c.command("b", "LOGIN " + ImapTestClient.quote(user) + " " + ImapTestClient.quote(PASSWORD)))
                    .containsExactly("b NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
            assertThat(c.command("c", "AUTHENTICATE PLAIN " + plain(user, PASSWORD)))
                    .containsExactly("c NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
            assertThat(c.command("d", "STARTTLS")).containsExactly("d OK Begin TLS negotiation now.");
            c.startTls();
            assertThat(c.command("e", "CAPABILITY")).containsExactly("* CAPABILITY " + BEFORE_LOGIN, "e OK Capability completed.");
            assertThat(c.command("f", "STARTTLS")).containsExactly("f BAD TLS is already active.");
            assertThat(c.command("g", "LOGIN " + ImapTestClient.quote(user) + " " + ImapTestClient.quote(PASSWORD)))
                    .containsExactly("g OK [CAPABILITY " + AFTER_LOGIN + "] Logged in");
        }
        // The account was created by that first login (ACC-1).
        assertThat(relay.relay().store().findAccount(user)).isPresent();
    }

    @Test
    void commandsPipelinedBehindStartTlsAreNeverExecuted() throws Exception {
        try (ImapTestClient c = ImapTestClient.imap(relay)) {
            c.line();
            // The injected LOGIN would create an account if it ran (CVE-2011-0411 class).
            c.send("a STARTTLS\r\nx LOGIN " + ImapTestClient.quote(user) + " " + ImapTestClient.quote(PASSWORD)
                    + "\r\ny CAPABILITY\r\n");
            assertThat(c.line()).isEqualTo("a OK Begin TLS negotiation now.");
            c.startTls();
            assertThat(c.command("b", "NOOP")).containsExactly("b OK NOOP completed.");
        }
        assertThat(relay.relay().store().findAccount(user)).isEmpty();
    }

    @Test
    void loginWithSynchronizingAndNonSynchronizingLiterals() throws Exception {
        byte[] pw = PASSWORD.getBytes(StandardCharsets.UTF_8);
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            c.line();
            c.send("a LOGIN {" + user.length() + "}\r\n");
            assertThat(c.line()).isEqualTo("+ OK");
            c.send(user + " {" + pw.length + "+}\r\n" + PASSWORD + "\r\n");
            assertThat(c.line()).startsWith("a OK [CAPABILITY " + AFTER_LOGIN + "]");
        }
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            c.line();
            // The password set by the first login must match byte for byte from quoted strings too.
            assertThat(c.command("b", "LOGIN " + ImapTestClient.quote(user) + " " + ImapTestClient.quote(PASSWORD)).getLast())
                    .startsWith("b OK ");
        }
    }

    @Test
    void wrongPasswordFailsTheSameAsABadAddress() throws Exception {
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            c.login(user, PASSWORD);
        }
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            c.line();
            assertThat(c.command("a", "LOGIN " + user + " wrongpassword"))
                    .containsExactly("a NO [AUTHENTICATIONFAILED] Authentication failed.");
            assertThat(c.command("b", "LOGIN someone@elsewhere.test longenoughpassword"))
                    .containsExactly("b NO [AUTHENTICATIONFAILED] Authentication failed.");
            assertThat(c.command("c", "LOGIN short@" + TestRelay.DOMAIN + " longenoughpassword"))
                    .containsExactly("c NO [AUTHENTICATIONFAILED] Authentication failed.");
            assertThat(c.command("d", "SELECT INBOX")).containsExactly("d BAD Not logged in.");
        }
    }

    @Test
    void authenticatePlainWithInitialResponseAndWithContinuation() throws Exception {
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            c.line();
            assertThat(c.command("a", "AUTHENTICATE PLAIN " + plain(user, PASSWORD)).getLast())
                    .isEqualTo("a OK [CAPABILITY " + AFTER_LOGIN + "] Logged in");
            assertThat(c.command("b", "LOGIN x y")).containsExactly("b BAD Already logged in.");
        }
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            c.line();
            c.send("a AUTHENTICATE PLAIN\r\n");
            assertThat(c.line()).isEqualTo("+ ");
            c.send(plain(user, PASSWORD) + "\r\n");
            assertThat(c.line()).startsWith("a OK [CAPABILITY ");
        }
        try (ImapTestClient c = ImapTestClient.imaps(relay)) {
            c.line();
            assertThat(c.command("a", "AUTHENTICATE PLAIN " + plain(user, "not the password")))
                    .containsExactly("a NO [AUTHENTICATIONFAILED] Authentication failed.");
            c.send("b AUTHENTICATE PLAIN\r\n");
            assertThat(c.line()).isEqualTo("+ ");
            c.send("*\r\n");
            assertThat(c.line()).isEqualTo("b BAD Authentication aborted by client.");
            assertThat(c.command("c", "AUTHENTICATE CRAM-MD5")).containsExactly("c NO Unsupported authentication mechanism.");
        }
    }

    @Test
    void idNamespaceEnableNoop() throws Exception {
        try (ImapTestClient c = ImapTestClient.imaps(relay).login(user, PASSWORD)) {
            assertThat(c.command("a", "ID (\"name\" \"Delta Chat\" \"version\" \"2.0\")"))
                    .containsExactly("* ID (\"name\" \"chatmail\")", "a OK ID completed.");
            assertThat(c.command("b", "NAMESPACE")).containsExactly("* NAMESPACE ((\"\" \".\")) NIL NIL", "b OK Namespace completed.");
            assertThat(c.command("c", "ENABLE CONDSTORE UTF8=ACCEPT")).containsExactly("* ENABLED CONDSTORE", "c OK Enabled.");
            assertThat(c.command("d", "NOOP")).containsExactly("d OK NOOP completed.");
        }
    }

    @Test
    void badCommandsGetBadWithAClearTextAndNeverAStackTrace() throws Exception {
        try (ImapTestClient c = ImapTestClient.imaps(relay).login(user, PASSWORD)) {
            assertThat(c.command("a", "FROBNICATE")).containsExactly("a BAD Error in IMAP command FROBNICATE: Unknown command");
            assertThat(c.command("b", "FETCH 1 FLAGS")).containsExactly("b BAD No mailbox selected.");
            assertThat(c.command("c", "LOGIN \"unterminated")).containsExactly(
                    "c BAD Error in IMAP command LOGIN: Unterminated quoted string");
            c.send("\u0001\u0002\r\n");
            assertThat(c.line()).isEqualTo("* BAD Invalid tag");
            assertThat(c.command("d", "UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (FROM)")).containsExactly(
                    "d BAD Error in IMAP command UID FETCH: Invalid section");
            assertThat(c.command("e", "NOOP")).containsExactly("e OK NOOP completed.");
        }
    }

    static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }
}
