package chatmail.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.Relay;
import chatmail.cli.Main;
import chatmail.dns.DnsCheckLog;
import chatmail.policy.fixtures.TestMessages;
import chatmail.smtp.SmtpFixtures;
import chatmail.testing.TestRelay;
import chatmail.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chatmail status} (OPS-3) against a running relay over its admin socket: what it prints,
 * and exit code 1 by each health rule, with the relay's clock moved where a rule is about time.
 */
class StatusCommandTest {

    @TempDir
    Path dir;

    private TestRelay relay;
    private Path ini;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        Path data = dir.resolve("data");
        relay = TestRelay.start(data);
        ini = Files.writeString(dir.resolve("chatmail.ini"),
                "[params]\nmail_domain = " + TestRelay.DOMAIN + "\ndata_dir = " + data + "\n");
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    private int status() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "status", "--config", ini.toString());
    }

    @Test
    void aHealthyRelayPrintsEveryFieldAndExitsZero() throws Exception {
        SmtpFixtures.account(relay);
        int code = status();
        String text = out.toString();
        assertThat(code).as(text + err).isZero();
        assertThat(text).contains("version: ", "uptime: ", "health: ok")
                .contains("listeners: smtp " + relay.port("smtp") + ", submission " + relay.port("submission"))
                .contains("accounts: 1 (logged in today 1, within 7 days 1, within 30 days 1)")
                .contains("stored: 0 messages, 0 bytes")
                .contains("outbound queue: 0 recipients")
                .contains("push queue: 0 notifications")
                .contains("certificate: localhost, chatmail.localhost, ")
                .contains("(self-signed), expires ")
                .contains("last expiry run: none since start")
                .contains("dns check: never run (chatmail dns --check)")
                .doesNotContain("problem:");
        // One node on its own storage: every figure is this node's, no cluster section.
        assertThat(text).startsWith("[this node]\nversion: ")
                .containsPattern("\nnode: [0-9a-f-]{36} \\(storage sqlite, this node's own\\)\n")
                .containsPattern("\nconnections: mx \\d+, submission \\d+, imap \\d+, https \\d+; in IDLE 0\n")
                .doesNotContain("[cluster", "cross-node");
    }

    @Test
    void anOutboundEntryOlderThanAnHourMakesItUnhealthy() throws Exception {
        String sender = SmtpFixtures.account(relay);
        // Nothing answers DNS for test relays, so the entry stays queued.
        relay.relay().outbound().enqueue(sender, List.of("someone@example.org"), TestMessages.encrypted(sender, "someone@example.org"));
        relay.clock().advance(Duration.ofMinutes(59));
        assertThat(status()).as(out.toString()).isZero();
        assertThat(out.toString()).contains("outbound queue: 1 recipients, oldest queued ", "by destination: example.org 1");

        relay.clock().advance(Duration.ofMinutes(2));
        assertThat(status()).isEqualTo(1);
        assertThat(out.toString()).contains("health: unhealthy",
                "problem: outbound queue: an entry has waited 1h 1m (more than 1h 0m)");
    }

    @Test
    void aCertificateExpiringWithinADayMakesItUnhealthy() throws Exception {
        Instant notAfter = relay.relay().tls().currentCertificate().getNotAfter().toInstant();
        relay.clock().set(notAfter.minus(Duration.ofHours(25)));
        assertThat(status()).as(out.toString()).isZero();

        relay.clock().set(notAfter.minus(Duration.ofHours(23)));
        assertThat(status()).isEqualTo(1);
        assertThat(out.toString()).contains("problem: certificate for localhost, chatmail.localhost, ")
                .contains("(less than 1d 0h left)");
        assertThat(SelfSignedCertificate.VALIDITY).isGreaterThan(Duration.ofDays(300));
    }

    @Test
    void theLastDnsCheckIsShown() throws Exception {
        DnsCheckLog.write(relay.config().dataDir(), new DnsCheckLog.Entry(Instant.parse("2030-01-02T03:04:05Z"), 2));
        assertThat(status()).isZero();
        assertThat(out.toString()).contains("dns check: 2 required record(s) missing or wrong (2030-01-02T03:04:05Z)");
    }

    @Test
    void noRunningRelayIsExitCodeOneWithAMessage() {
        relay.close();
        assertThat(status()).isEqualTo(1);
        assertThat(err.toString()).contains("chatmail: no relay answers on " + relay.config().dataDir().resolve("admin.sock"));
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theSocketIsTheOwnersOnlyAndAnswersNothingButStatus() throws Exception {
        Path socket = relay.config().dataDir().resolve(AdminEndpoint.SOCKET_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(ask(socket, "shutdown\n")).isEqualTo("error: unknown request\n");
        assertThat(ask(socket, "status\n")).contains("health: ok\n");
        relay.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void aSecondRelayOnTheSameDataDirectoryIsRefused() {
        assertThatThrownBy(() -> Relay.start(relay.config(), Relay.Options.forTests(relay.clock())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(relay.config().dataDir() + " is in use by a running relay");
        assertThat(status()).isZero();
    }

    @Test
    void theLastExpiryRunIsShownAndItsDeletionsCounted() throws Exception {
        Path data = dir.resolve("expiring");
        chatmail.config.Config.Builder b = relay.config().toBuilder();
        b.dataDir = data;
        try (Relay expiring = Relay.start(b.build(),
                new Relay.Options(relay.clock(), chatmail.account.ResourceProbe.ample(), true, true))) {
            expiring.expiryScheduler().orElseThrow().firstRun().get(60, java.util.concurrent.TimeUnit.SECONDS);
            StatusReport report = expiring.status();
            assertThat(report.lines()).anyMatch(l -> l.startsWith("last expiry run: ") && l.contains("deleted 0 messages"));
            var samples = chatmail.testing.PrometheusText.scrape(expiring.metrics());
            assertThat(chatmail.testing.PrometheusText.value(samples, "chatmail_expiry_last_run_timestamp_seconds", "scope", "node"))
                    .isEqualTo(relay.clock().instant().getEpochSecond());
            assertThat(chatmail.testing.PrometheusText.value(samples, "chatmail_expiry_deleted_total", "kind", "messages")).isZero();
        }
    }

    private static String ask(Path socket, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            return new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
