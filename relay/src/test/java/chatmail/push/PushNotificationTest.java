package chatmail.push;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.smtp.TrustAllTls;
import chatmail.store.Account;
import chatmail.testing.MutableClock;
import chatmail.testing.TestCa;
import chatmail.testing.TestRelay;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * PUSH-1 end to end: tokens set with IMAP SETMETADATA (or the store), mail delivered over SMTP,
 * notifications received by a real HTTP(S) server on loopback. The relay's clock only moves when
 * the test moves it; {@code runDue()} then has every due notification tried.
 */
class PushNotificationTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private final List<AutoCloseable> open = new ArrayList<>();
    private NotifyServer notify;
    private TestRelay relay;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A notification server with a certificate from a test CA, which the relay trusts through trusted_ca_file. */
    private void startOverHttps() throws Exception {
        TestCa ca = TestCa.create("push test CA");
        notify = track(NotifyServer.https(clock, ca.issueForIp("127.0.0.1").serverContext()));
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        relay = startRelay(b -> b.trustedCaFile = caFile);
    }

    private void startOverHttp() throws Exception {
        notify = track(NotifyServer.http(clock));
        relay = startRelay(b -> { });
    }

    private TestRelay startRelay(java.util.function.Consumer<chatmail.config.Config.Builder> adjust) throws IOException {
        TestRelay started = TestRelay.start(dir.resolve("data"), clock, b -> {
            b.notifyUrl = notify.url();
            adjust.accept(b);
        });
        return track(started);
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @Test
    void tokenSetOverImapGetsExactlyOnePostWithTheRawToken() throws Exception {
        startOverHttps();
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenOverImap(bob, "tok1");

        submit(alice, List.of(bob));

        NotifyServer.Request request = notify.next();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/notify");
        assertThat(request.body()).isEqualTo("tok1");
        relay.relay().push().runDue();
        clock.advance(Duration.ofHours(2));
        relay.relay().push().runDue();
        assertThat(notify.received()).hasSize(1);
        assertThat(relay.relay().push().queued()).isZero();
        assertThat(pushes("sent")).isEqualTo(1);
        assertThat(pushes("failed") + pushes("dropped")).isZero();
    }

    private double pushes(String result) {
        return chatmail.testing.PrometheusText.value(chatmail.testing.PrometheusText.scrape(relay.relay().metrics()),
                "chatmail_push_total", "result", result);
    }

    @Test
    void goneTokenIsRemovedFromTheStoreAndNotRetried() throws Exception {
        ListAppender<ILoggingEvent> log = captureLogs();
        startOverHttps();
        notify.answer(410);
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        Account bobAccount = setTokenInStore(bob, "dead-token");

        submit(alice, List.of(bob));

        assertThat(notify.next().body()).isEqualTo("dead-token");
        relay.relay().push().runDue();
        assertThat(tokens(bobAccount)).isEmpty();
        assertThat(relay.relay().push().queued()).isZero();
        clock.advance(Duration.ofHours(2));
        relay.relay().push().runDue();
        assertThat(notify.received()).hasSize(1);

        assertThat(pushes("dropped")).as("a gone token's notification is dropped").isEqualTo(1);
        assertThat(pushes("sent") + pushes("failed")).isZero();
        // The token is gone: the next message notifies nobody.
        submit(alice, List.of(bob));
        assertThat(relay.relay().push().queued()).isZero();
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("gone"))
                .noneMatch(m -> m.contains("dead-token") || m.contains(bob));
    }

    @Test
    void failuresAreRetriedOnTheScheduleAndDroppedAfterTheFifth() throws Exception {
        ListAppender<ILoggingEvent> log = captureLogs();
        startOverHttps();
        notify.answer(500);
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenInStore(bob, "tok1");
        Instant first = clock.instant();

        submit(alice, List.of(bob));
        assertThat(notify.next().at()).isEqualTo(first);

        for (long offset : new long[] {8, 72, 584, 4680}) {
            clock.set(first.plusSeconds(offset).minusMillis(1));
            relay.relay().push().runDue();
            assertThat(notify.received()).as("no try before %d s", offset).hasSize(tries(offset) - 1);
            clock.set(first.plusSeconds(offset));
            relay.relay().push().runDue();
            assertThat(notify.received()).as("a try at %d s", offset).hasSize(tries(offset));
        }
        assertThat(notify.received()).extracting(NotifyServer.Request::at).containsExactly(first,
                first.plusSeconds(8), first.plusSeconds(72), first.plusSeconds(584), first.plusSeconds(4680));
        assertThat(notify.received()).extracting(NotifyServer.Request::body).containsOnly("tok1");
        assertThat(relay.relay().push().queued()).as("dropped after the fifth failure").isZero();
        assertThat(pushes("failed")).as("four tries failed and were retried").isEqualTo(4);
        assertThat(pushes("dropped")).isEqualTo(1);
        assertThat(pushes("sent")).isZero();

        clock.advance(Duration.ofDays(1));
        relay.relay().push().runDue();
        assertThat(notify.received()).hasSize(5);
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("dropped"))
                .noneMatch(m -> m.contains("tok1") || m.contains(bob) || m.contains(alice));
    }

    private static int tries(long offset) {
        return switch ((int) offset) {
            case 8 -> 2;
            case 72 -> 3;
            case 584 -> 4;
            default -> 5;
        };
    }

    @Test
    void aPendingNotificationSurvivesARestart() throws Exception {
        startOverHttps();
        notify.answer(503);
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenInStore(bob, "tok1");
        Instant first = clock.instant();
        submit(alice, List.of(bob));
        notify.next();
        relay.relay().push().runDue();

        relay.close();
        notify.answer(200);
        relay = startRelay(b -> b.trustedCaFile = dir.resolve("ca.pem"));

        assertThat(relay.relay().push().queued()).isEqualTo(1);
        clock.set(first.plusSeconds(8));
        relay.relay().push().wakeUp();
        NotifyServer.Request retried = notify.next();
        assertThat(retried.body()).isEqualTo("tok1");
        assertThat(retried.at()).isEqualTo(first.plusSeconds(8));
        relay.relay().push().runDue();
        assertThat(relay.relay().push().queued()).isZero();
        assertThat(notify.received()).hasSize(2);
    }

    @Test
    void theCopyAnAccountSendsItselfWakesNone() throws Exception {
        startOverHttps();
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenOverImap(alice, "alice-token");
        setTokenInStore(bob, "bob-token");

        submit(alice, List.of(alice));
        // The job would be queued before the 250: nothing is.
        assertThat(relay.relay().push().queued()).isZero();

        // Delta Chat's usual shape: the recipients and a copy for the sender's other devices.
        submit(alice, List.of(bob, alice));
        assertThat(notify.next().body()).isEqualTo("bob-token");
        relay.relay().push().runDue();
        assertThat(notify.received()).extracting(NotifyServer.Request::body).containsExactly("bob-token");
    }

    @Test
    void aBounceWakesTheSender() throws Exception {
        startOverHttps();
        String alice = SmtpFixtures.account(relay);
        setTokenInStore(alice, "alice-token");

        submit(alice, List.of(SmtpFixtures.newAddress()));

        assertThat(notify.next().body()).isEqualTo("alice-token");
        relay.relay().push().runDue();
        assertThat(notify.received()).hasSize(1);
    }

    @Test
    void mailFromAnotherServerOnPort25WakesTheRecipient() throws Exception {
        startOverHttp();
        String bob = SmtpFixtures.account(relay);
        setTokenInStore(bob, "bob-token");
        String carol = "carol@[192.0.2.1]";

        try (SmtpClient c = SmtpClient.ready(relay.port("smtp"), false)) {
            c.expect(c.sendMail(carol, bob, SmtpFixtures.encrypted(carol, bob)), 250);
        }

        assertThat(notify.next().body()).isEqualTo("bob-token");
    }

    @Test
    void mailFromAnotherRelayOverMxdelivWakesTheRecipient() throws Exception {
        startOverHttp();
        String bob = SmtpFixtures.account(relay);
        setTokenInStore(bob, "bob-token");
        String carol = "carol@[192.0.2.1]";

        try (HttpClient client = HttpClient.newBuilder().sslContext(TrustAllTls.context()).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + relay.port("https") + "/mxdeliv"))
                    .header("X-MAIL-TO", bob)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(SmtpFixtures.encrypted(carol, bob)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }

        assertThat(notify.next().body()).isEqualTo("bob-token");
    }

    @Test
    void twoTokensGetTwoPosts() throws Exception {
        startOverHttp();
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenOverImap(bob, "phone-token");
        setTokenOverImap(bob, "tablet-token");

        submit(alice, List.of(bob));

        Set<String> bodies = Set.of(notify.next().body(), notify.next().body());
        assertThat(bodies).containsExactlyInAnyOrder("phone-token", "tablet-token");
        relay.relay().push().runDue();
        assertThat(notify.received()).hasSize(2);
    }

    @Test
    void anAccountWithoutTokensIsNotNotified() throws Exception {
        startOverHttp();
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);

        submit(alice, List.of(bob));

        assertThat(relay.relay().push().queued()).isZero();
        relay.relay().push().runDue();
        assertThat(notify.received()).isEmpty();
    }

    @Test
    void mailDuringAPendingNotificationSharesOneMoreNotification() throws Exception {
        startOverHttp();
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenInStore(bob, "tok1");
        notify.hold();

        submit(alice, List.of(bob));
        notify.next(); // in flight, held by the server
        // The device may already be fetching: these three must not be covered by that POST.
        submit(alice, List.of(bob));
        submit(alice, List.of(bob));
        submit(alice, List.of(bob));
        assertThat(relay.relay().push().queued()).isEqualTo(1);
        notify.release();

        assertThat(notify.next().body()).isEqualTo("tok1");
        relay.relay().push().runDue();
        assertThat(notify.received()).as("one more notification for the three messages").hasSize(2);
        assertThat(relay.relay().push().queued()).isZero();
    }

    @Test
    void aServerWithAnUntrustedCertificateGetsNothingAndTheNotificationWaitsForItsRetry() throws Exception {
        TestCa trusted = TestCa.create("trusted CA");
        TestCa other = TestCa.create("unknown CA");
        notify = track(NotifyServer.https(clock, other.issueForIp("127.0.0.1").serverContext()));
        Path caFile = trusted.writeCertificate(dir.resolve("ca.pem"));
        relay = startRelay(b -> b.trustedCaFile = caFile);
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenInStore(bob, "tok1");

        submit(alice, List.of(bob));
        relay.relay().push().runDue();

        assertThat(notify.received()).isEmpty();
        assertThat(relay.relay().push().queued()).as("kept for its retry").isEqualTo(1);
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        TestCa ca = TestCa.create("push test CA");
        notify = track(NotifyServer.https(clock, ca.issueForIp("127.0.0.2").serverContext()));
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        relay = startRelay(b -> b.trustedCaFile = caFile);
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        setTokenInStore(bob, "tok1");

        submit(alice, List.of(bob));
        relay.relay().push().runDue();

        assertThat(notify.received()).as("the token was not sent to a server that cannot prove its name").isEmpty();
        assertThat(relay.relay().push().queued()).isEqualTo(1);
    }

    // ---- helpers

    /** Every log event of the relay from now until the test ends. */
    private ListAppender<ILoggingEvent> captureLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        open.add(() -> root.detachAppender(appender));
        return appender;
    }

    /** Submits an encrypted message over 465 and expects it accepted. */
    private void submit(String from, List<String> to) throws IOException {
        try (SmtpClient c = SmtpClient.ready(relay.port("submissions"), true)) {
            c.expect(c.authPlain(from, SmtpFixtures.PASSWORD), 235);
            c.expect(c.sendMail(from, to, SmtpFixtures.encrypted(from, to.getFirst())), 250);
        }
    }

    private Account setTokenInStore(String address, String token) {
        Account account = relay.relay().store().findAccount(address).orElseThrow();
        relay.relay().store().addMetadataValue(account.id(), PushNotifier.DEVICE_TOKEN_ENTRY, token,
                clock.instant().plus(Duration.ofDays(90)), 10);
        return account;
    }

    private List<String> tokens(Account account) {
        return relay.relay().store().metadataValues(account.id(), PushNotifier.DEVICE_TOKEN_ENTRY, clock.instant());
    }

    /** As Delta Chat does it: LOGIN, then SETMETADATA on INBOX over IMAPS. */
    private void setTokenOverImap(String address, String token) throws IOException {
        try (SSLSocket socket = (SSLSocket) TrustAllTls.socketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), relay.port("imaps"))) {
            socket.setSoTimeout(20_000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            assertThat(line(in)).startsWith("* OK");
            assertThat(command(in, out, "a1", "LOGIN " + address + " " + SmtpFixtures.PASSWORD)).startsWith("a1 OK");
            assertThat(command(in, out, "a2", "SETMETADATA INBOX (/private/devicetoken \"" + token + "\")"))
                    .startsWith("a2 OK");
            command(in, out, "a3", "LOGOUT");
        }
    }

    private static String command(InputStream in, OutputStream out, String tag, String command) throws IOException {
        out.write((tag + " " + command + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            String line = line(in);
            if (line.startsWith(tag + " ")) {
                return line;
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed after: " + line.toString(StandardCharsets.UTF_8));
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8).stripTrailing();
    }
}
