package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.MetricValues;
import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-3's connection limits on IMAP, as an attacker meets them: the refusal it reads, and a
 * legitimate client on the same relay that still logs in and gets its mail.
 */
class ImapConnectionLimitsTest {
    static final String FROM_YOUR_ADDRESS = "* BYE [UNAVAILABLE] Too many connections from your address, try again later.";
    static final String SERVICE_FULL = "* BYE [UNAVAILABLE] Too many connections, try again later.";

    @TempDir
    Path dir;
    ImapFixture fx;
    final List<ImapTestClient> open = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (ImapTestClient c : open) {
            c.close();
        }
        fx.close();
    }

    private ImapTestClient held(ImapTestClient c) {
        open.add(c);
        return c;
    }

    /** A client that has read the greeting and holds its connection without logging in. */
    private ImapTestClient unauthenticated(String from) throws IOException {
        ImapTestClient c = held(ImapTestClient.imapFrom(fx.relay, from));
        assertThat(c.line()).startsWith("* OK [CAPABILITY ");
        return c;
    }

    private ImapTestClient loggedIn(String from) throws IOException {
        return held(ImapTestClient.imapsFrom(fx.relay, from)).login(fx.user, ImapFixture.PASSWORD);
    }

    /** The legitimate user's mail arrives over submission and is there for its IMAP session. */
    private void receivesMail(ImapTestClient legit, String tag) throws IOException {
        String sender = TestRelay.address("sender" + tag);
        int before = legit.ok("SELECT INBOX").stream().filter(l -> l.endsWith(" EXISTS")).map(l -> l.split(" ")[1])
                .mapToInt(Integer::parseInt).findFirst().orElseThrow();
        SmtpSubmitter.submit(fx.relay, sender, ImapFixture.PASSWORD, fx.user, TestMessages.encrypted(sender, fx.user));
        assertThat(legit.ok("NOOP")).contains("* " + (before + 1) + " EXISTS");
    }

    @Test
    void aClientGetsTwentyConnectionsBeforeLoginAndTheTwentyFirstIsRefused() throws Exception {
        fx = ImapFixture.start(dir);
        for (int i = 0; i < 20; i++) {
            unauthenticated("127.0.0.7");
        }
        try (ImapTestClient extra = ImapTestClient.imapFrom(fx.relay, "127.0.0.7")) {
            assertThat(extra.line()).isEqualTo(FROM_YOUR_ADDRESS);
            assertThat(extra.closedByServer()).isTrue();
        }
        assertThat(MetricValues.refused(fx.relay, ConnectionService.IMAP, ConnectionRefusal.CLIENT_UNAUTHENTICATED))
                .isEqualTo(1);
        // Another address is not affected, and its user logs in and gets mail.
        receivesMail(loggedIn("127.0.0.8"), "aaa");
        // A logged-in connection no longer counts against the twenty: the address may open one more.
        ImapTestClient one = open.getFirst();
        one.send("s STARTTLS\r\n");
        assertThat(one.line()).isEqualTo("s OK Begin TLS negotiation now.");
        one.startTls();
        assertThat(one.command("l", "LOGIN " + ImapTestClient.quote(fx.user) + " " + ImapTestClient.quote(ImapFixture.PASSWORD))
                .getLast()).startsWith("l OK ");
        unauthenticated("127.0.0.7");
    }

    @Test
    void whenTheServiceIsFullTheOldestUnauthenticatedConnectionMakesRoom() throws Exception {
        // 10 in all, a fifth (2) per client: five addresses fill the service without logging in.
        fx = ImapFixture.start(dir, b -> b.maxImapConnections = 10);
        List<ImapTestClient> attackers = new ArrayList<>();
        for (int host = 1; host <= 5; host++) {
            for (int i = 0; i < 2; i++) {
                attackers.add(unauthenticated("127.0.0." + host));
            }
        }
        ImapTestClient legit = loggedIn("127.0.0.6");
        assertThat(attackers.getFirst().closedByServer()).as("the oldest was closed to make room").isTrue();
        assertThat(attackers.get(1).command("n", "NOOP").getLast()).isEqualTo("n OK NOOP completed.");
        assertThat(MetricValues.refused(fx.relay, ConnectionService.IMAP, ConnectionRefusal.EVICTED)).isEqualTo(1);

        // More attackers push out the other unauthenticated ones, never the logged-in client.
        for (int host = 10; host < 20; host++) {
            unauthenticated("127.0.0." + host);
        }
        for (ImapTestClient a : attackers) {
            assertThat(a.closedByServer()).isTrue();
        }
        receivesMail(legit, "bbb");
    }

    @Test
    void aServiceFullOfLoggedInConnectionsRefusesTheNext() throws Exception {
        fx = ImapFixture.start(dir, b -> b.maxImapConnections = 10);
        for (int host = 1; host <= 5; host++) {
            for (int i = 0; i < 2; i++) {
                loggedIn("127.0.0." + host);
            }
        }
        try (ImapTestClient extra = ImapTestClient.imapFrom(fx.relay, "127.0.0.6")) {
            assertThat(extra.line()).isEqualTo(SERVICE_FULL);
            assertThat(extra.closedByServer()).isTrue();
        }
        assertThat(MetricValues.refused(fx.relay, ConnectionService.IMAP, ConnectionRefusal.SERVICE_FULL)).isEqualTo(1);
        // A client's share is a fifth of the cap, logged in or not.
        try (ImapTestClient third = ImapTestClient.imapFrom(fx.relay, "127.0.0.4")) {
            assertThat(third.line()).isEqualTo(FROM_YOUR_ADDRESS);
        }
        receivesMail(open.getFirst(), "ccc");
    }

    @Test
    void theFiftyFirstImapConnectionOfOneAccountIsRefused() throws Exception {
        fx = ImapFixture.start(dir);
        for (int i = 0; i < 50; i++) {
            loggedIn("127.0.0.1");
        }
        try (ImapTestClient extra = ImapTestClient.imaps(fx.relay)) {
            assertThat(extra.line()).startsWith("* OK [CAPABILITY ");
            assertThat(extra.command("l", "LOGIN " + ImapTestClient.quote(fx.user) + " "
                    + ImapTestClient.quote(ImapFixture.PASSWORD))).containsExactly(
                    "* BYE Too many connections for this account.",
                    "l NO [LIMIT] Too many connections for this account.");
            assertThat(extra.closedByServer()).isTrue();
        }
        assertThat(MetricValues.refused(fx.relay, ConnectionService.IMAP, ConnectionRefusal.ACCOUNT_CONNECTIONS))
                .isEqualTo(1);
        // Another account from the same address is not affected.
        try (ImapTestClient other = ImapTestClient.imaps(fx.relay).login(TestRelay.address("otheruser"), ImapFixture.PASSWORD)) {
            assertThat(other.command("n", "NOOP").getLast()).isEqualTo("n OK NOOP completed.");
        }
        // One of the fifty leaves: its place is free again for the account.
        assertThat(open.removeFirst().command("z", "LOGOUT").getLast()).isEqualTo("z OK Logout completed.");
        receivesMail(awaitAccountPlace(), "ddd");
    }

    @Test
    void port443CountsItsOwnConnectionsAndHandsImapOnUnderTheClientsAddress() throws Exception {
        // IMAP and port 443: 10 each, a fifth (2) per client address.
        fx = ImapFixture.start(dir, b -> {
            b.maxImapConnections = 10;
            b.limits = b.limits.withMaxHttpsConnections(10);
        });
        held(ImapTestClient.via443(fx.relay)).login(fx.user, ImapFixture.PASSWORD);
        held(ImapTestClient.via443(fx.relay)).login(fx.user, ImapFixture.PASSWORD);
        // Those two are 127.0.0.1's IMAP share, though they came in on 443 (WEB-3).
        try (ImapTestClient third = ImapTestClient.imapsFrom(fx.relay, "127.0.0.1")) {
            assertThat(third.line()).isEqualTo(FROM_YOUR_ADDRESS);
        }
        // Port 443 itself: two silent connections are 127.0.0.5's share; the third is closed
        // before anything is said (no TLS yet, so no protocol to say it in).
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                silent.add(new Socket(InetAddress.getLoopbackAddress(), fx.relay.port("https"),
                        InetAddress.getByName("127.0.0.5"), 0));
            }
            try (Socket third = new Socket(InetAddress.getLoopbackAddress(), fx.relay.port("https"),
                    InetAddress.getByName("127.0.0.5"), 0)) {
                third.setSoTimeout(ImapTestClient.READ_TIMEOUT_MILLIS);
                assertThat(third.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(MetricValues.refused(fx.relay, ConnectionService.HTTPS, ConnectionRefusal.CLIENT_CONNECTIONS))
                    .isEqualTo(1);
            // The web site still answers another client, and the IMAP clients on 443 get their mail.
            assertThat(httpsStatusLine("/robots.txt")).isEqualTo("HTTP/1.1 200 OK");
            receivesMail(open.getFirst(), "eee");
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    private String httpsStatusLine(String path) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), fx.relay.port("https"));
        try (SSLSocket tls = (SSLSocket) fx.relay.relay().tls().insecureOutboundContext().getSocketFactory()
                .createSocket(plain, "chatmail.localhost", plain.getPort(), true)) {
            tls.setSoTimeout(ImapTestClient.READ_TIMEOUT_MILLIS);
            tls.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: chatmail.localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            tls.getOutputStream().flush();
            return new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    /** Logs in until the account has a free place (the server notices the LOGOUT's close asynchronously). */
    private ImapTestClient awaitAccountPlace() throws Exception {
        for (int attempt = 0; ; attempt++) {
            ImapTestClient c = ImapTestClient.imaps(fx.relay);
            assertThat(c.line()).startsWith("* OK ");
            List<String> reply = c.command("l", "LOGIN " + ImapTestClient.quote(fx.user) + " "
                    + ImapTestClient.quote(ImapFixture.PASSWORD));
            if (reply.getLast().startsWith("l OK ")) {
                return held(c);
            }
            c.close();
            assertThat(attempt).as("the closed connection's place is given back").isLessThan(200);
        }
    }
}
