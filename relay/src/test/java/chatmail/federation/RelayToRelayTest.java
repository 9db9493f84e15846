package chatmail.federation;

import static chatmail.federation.TwoRelays.account;
import static chatmail.federation.TwoRelays.inbox;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpFixtures;
import chatmail.smtp.StoredMail;
import chatmail.smtp.TrustAllTls;
import chatmail.policy.fixtures.TestMessages;
import chatmail.dkim.DkimKey;
import chatmail.dkim.DkimKeyFiles;
import chatmail.dkim.DkimSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.stream.Collectors;
import chatmail.delivery.outbound.OutboundDelivery;
import chatmail.dkim.DkimVerifier;
import chatmail.dns.DkimKeyCache;
import chatmail.testing.LogLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.net.InetSocketAddress;
import chatmail.smtp.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail between two relays of this project (SMTP-6, SMTP-8, SMTP-10, DLV-1 … DLV-4), each a
 * whole relay on its own loopback address, found through a real DNS server.
 */
class RelayToRelayTest {

    @TempDir
    static Path dir;

    static TwoRelays net;

    @BeforeAll
    static void start() throws Exception {
        net = new TwoRelays(dir);
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    @BeforeEach
    void relay2FullyOpenAndRelay1ForgetsHostsWithoutMxDeliv() throws Exception {
        if (net.relay2 == null || net.relay2.config().smtpPort() == 0 || net.relay2.config().httpsPort() == 0) {
            net.startRelay2(true, true);
        }
        // Relay 1 remembers a host without /mxdeliv for 30 minutes (DLV-2); each test starts afresh.
        net.clock1.advance(Duration.ofMinutes(31));
    }

    @Test
    void messageArrivesDkimVerifiedWithHeadersCleaned() throws Exception {
        String alice = account(net.relay1, "alice0001");
        String bob = account(net.relay2, "bob000001");
        var m = SmtpFixtures.deltaChatMessage(alice, bob, "fed1.0001@relay1.test");
        try (var arrival = TwoRelays.arrivals(net.relay2, bob, 1)) {
            assertThat(net.submit(alice, List.of(bob), m.sent()).line()).startsWith("250");
            arrival.await(20);
        }
        List<String> stored = inbox(net.relay2, bob);
        assertThat(stored).hasSize(1);
        // Exactly what a phone sent minus Received, X-Originating-IP, X-Mailer, User-Agent, with
        // Subject [...]; relay 2 stripped the DKIM-Signature it verified (SMTP-10).
        assertThat(stored.getFirst()).isEqualTo(new String(m.expectedStored(), StandardCharsets.UTF_8))
                .doesNotContain("127.0.0.");
        assertQueueEmpty();
    }

    @Test
    void httpsOnlyRelayGetsMailOverMxDeliv() throws Exception {
        net.startRelay2(false, true);
        List<Long> latencies = sendOneByOne("https0001", "bobhttps1", LATENCY_SAMPLES);
        report("HTTPS (/mxdeliv)", latencies);
    }

    @Test
    void smtpOnlyRelayGetsMailOverPort25() throws Exception {
        net.startRelay2(true, false);
        List<Long> latencies = sendOneByOne("smtp00001", "bobsmtp01", LATENCY_SAMPLES);
        report("SMTP (port 25)", latencies);
    }

    /**
     * SEC-1 on the way out: a message larger than the spool's memory limit waits as a queue file
     * and is streamed from it (header row, then the file) as the /mxdeliv request body with its
     * Content-Length, and as SMTP DATA; relay 2 stores its body byte for byte.
     */
    @Test
    void aLargeMessageIsStreamedFromItsQueueFileOverMxDeliv() throws Exception {
        net.startRelay2(false, true);
        sendLarge("largehttp", "biglhttp1");
    }

    @Test
    void aLargeMessageIsStreamedFromItsQueueFileOverPort25() throws Exception {
        net.startRelay2(true, false);
        sendLarge("largesmtp", "biglsmtp1");
    }

    private static void sendLarge(String senderLocal, String recipientLocal) throws Exception {
        String alice = account(net.relay1, senderLocal);
        String bob = account(net.relay2, recipientLocal);
        byte[] sent = SmtpFixtures.encrypted(alice, bob, 2_000_000);
        try (var arrival = TwoRelays.arrivals(net.relay2, bob, 1)) {
            assertThat(net.submit(alice, List.of(bob), sent).line()).startsWith("250");
            arrival.await(30);
        }
        List<String> stored = inbox(net.relay2, bob);
        assertThat(stored).hasSize(1);
        assertThat(body(stored.getFirst())).isEqualTo(body(new String(sent, StandardCharsets.US_ASCII)));
        assertQueueEmpty();
    }

    /** What follows the message's header section. */
    private static String body(String message) {
        int end = message.indexOf("\r\n\r\n");
        assertThat(end).isPositive();
        return message.substring(end + 4);
    }

    static final int LATENCY_SAMPLES = 20;

    /**
     * Relay 1 forgets a delivered message right after relay 2's commit; a round of its own
     * waits for the worker's round to end, so the queue is then settled.
     */
    private static void assertQueueEmpty() throws InterruptedException {
        net.relay1.relay().outbound().runDue();
        assertThat(net.relay1.relay().outbound().queued()).isZero();
    }

    /**
     * Sends {@code n} messages one after the other on one submission connection and returns,
     * for each, the nanoseconds from the end of DATA on relay 1 to the commit in relay 2's store.
     */
    private List<Long> sendOneByOne(String senderLocal, String recipientLocal, int n) throws Exception {
        String alice = account(net.relay1, senderLocal);
        String bob = account(net.relay2, recipientLocal);
        List<Long> latencies = new ArrayList<>();
        try (SmtpClient c = SmtpClient.connectTls(new InetSocketAddress(TwoRelays.IP1, net.ports.submissions()))) {
            c.expect(c.readReply(), 220);
            c.expect(c.ehlo(), 250);
            c.expect(c.authPlain(alice, TwoRelays.PASSWORD), 235);
            for (int i = 0; i < n; i++) {
                byte[] message = SmtpFixtures.deltaChatMessage(alice, bob, "lat" + i + "." + senderLocal + "@relay1.test").sent();
                c.expect(c.command("MAIL FROM:<" + alice + ">"), 250);
                c.expect(c.command("RCPT TO:<" + bob + ">"), 250);
                c.expect(c.command("DATA"), 354);
                try (var arrival = TwoRelays.arrivals(net.relay2, bob, 1)) {
                    long t0 = System.nanoTime();
                    c.write(SmtpClient.dotStuffed(message));
                    c.expect(c.readReply(), 250);
                    latencies.add(arrival.await(20) - t0);
                }
            }
        }
        assertThat(inbox(net.relay2, bob)).hasSize(n);
        assertQueueEmpty();
        return latencies;
    }

    private static void report(String path, List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        System.out.printf("federation latency over %s: median %.1f ms, min %.1f ms, max %.1f ms (%d messages,"
                        + " end of DATA on relay 1 to the commit on relay 2)%n", path,
                sorted.get(sorted.size() / 2) / 1e6, sorted.getFirst() / 1e6, sorted.getLast() / 1e6, sorted.size());
    }

    @Test
    void mailWaitsInTheQueueWhileRelay2IsDownAndBouncesAfterTwoDays() throws Exception {
        String alice = account(net.relay1, "queue0001");
        String bob = account(net.relay2, "bobqueue1");
        var outbound = net.relay1.relay().outbound();
        try (LogLines log = LogLines.of(OutboundDelivery.class)) {
            net.stopRelay2();
            var first = SmtpFixtures.deltaChatMessage(alice, bob, "queued.1@relay1.test");
            assertThat(net.submit(alice, List.of(bob), first.sent()).line()).startsWith("250");
            String deferred = log.await(l -> l.contains("at relay2.test deferred after attempt 1"), 20);
            assertThat(deferred).startsWith("INFO").doesNotContain(bob).doesNotContain("127.0.0.");
            assertThat(outbound.queued()).isEqualTo(1);

            net.startRelay2(true, true);
            try (var arrival = TwoRelays.arrivals(net.relay2, bob, 1)) {
                net.clock1.advance(Duration.ofMinutes(1).plusSeconds(1)); // the first backoff step
                outbound.wake();
                arrival.await(20);
            }
            assertThat(inbox(net.relay2, bob)).containsExactly(new String(first.expectedStored(), StandardCharsets.UTF_8));
            assertQueueEmpty();

            net.stopRelay2();
            var second = SmtpFixtures.deltaChatMessage(alice, bob, "queued.2@relay1.test");
            assertThat(net.submit(alice, List.of(bob), second.sent()).line()).startsWith("250");
            log.await(l -> l.contains("at relay2.test deferred after attempt 1") && log.lines().stream()
                    .filter(x -> x.contains("at relay2.test deferred after attempt 1")).count() == 2, 20);
            try (var bounceArrival = TwoRelays.arrivals(net.relay1, alice, 1)) {
                net.clock1.advance(Duration.ofDays(2).plusMinutes(1));
                outbound.wake();
                bounceArrival.await(20);
            }
        }
        List<String> bounces = inbox(net.relay1, alice);
        assertThat(bounces).hasSize(1);
        String dsn = bounces.getFirst();
        assertThat(dsn).contains("From: Mail Delivery System <MAILER-DAEMON@relay1.test>", "Auto-Submitted: auto-replied",
                        "Content-Type: multipart/report; report-type=delivery-status;", "Final-Recipient: rfc822; " + bob,
                        "Action: failed", "Message-ID: <queued.2@relay1.test>")
                .containsPattern("Status: 4\\.4\\.7\r\n");
        assertDkimSignedByRelay1(dsn.getBytes(StandardCharsets.UTF_8));
        assertQueueEmpty();
        net.startRelay2(true, true);
        assertThat(inbox(net.relay2, bob)).as("the bounced message never arrived").hasSize(1);
    }

    @Test
    void unknownRecipientOnTheRemoteRelayBouncesIntoTheSendersInbox() throws Exception {
        String alice = account(net.relay1, "unknown01");
        String bob = account(net.relay2, "bobknown1");
        String nobody = net.relay2.addressOf("nobody001");
        var m = SmtpFixtures.deltaChatMessage(alice, bob, "unknown.1@relay1.test");
        try (var bounce = TwoRelays.arrivals(net.relay1, alice, 1); var delivered = TwoRelays.arrivals(net.relay2, bob, 1)) {
            assertThat(net.submit(alice, List.of(nobody, bob), m.sent()).line()).startsWith("250");
            bounce.await(20);
            delivered.await(20);
        }
        String dsn = inbox(net.relay1, alice).getFirst();
        assertThat(dsn).contains("Final-Recipient: rfc822; " + nobody, "Status: 5.1.1",
                        "Message-ID: <unknown.1@relay1.test>", "report-type=delivery-status")
                .doesNotContain("Final-Recipient: rfc822; " + bob);
        assertDkimSignedByRelay1(dsn.getBytes(StandardCharsets.UTF_8));
        assertThat(inbox(net.relay2, bob)).hasSize(1);
        assertQueueEmpty();
    }

    /** The relay-1 signature on a bounce verifies against the key relay 1 published in DNS. */
    private static void assertDkimSignedByRelay1(byte[] message) {
        assertThat(new String(message, StandardCharsets.US_ASCII)).contains("d=relay1.test");
        var verifier = new DkimVerifier(DkimKeyCache.standard(net.nsd.resolver(Duration.ofSeconds(2)), net.clock1));
        assertThat(verifier.check(message).rejection()).isEmpty();
    }

    /** Mail claiming to be from relay 1 that relay 1 did not sign, each with the SMTP-8 refusal. */
    static List<Forgery> forgeries(String to) throws Exception {
        String mallory = "mallory01@" + TwoRelays.DOMAIN1;
        byte[] message = TestMessages.encrypted(mallory, to);
        DkimKey relay1Key = DkimKeyFiles.loadOrGenerate(net.dataDir(TwoRelays.DOMAIN1), "opendkim");
        DkimKey otherKey = DkimKeyFiles.loadOrGenerate(Files.createDirectories(dir.resolve("forger")), "opendkim");
        byte[] tampered = DkimSigner.of(TwoRelays.DOMAIN1, relay1Key).sign(message);
        tampered[tampered.length - 5] ^= 1; // a changed body
        return List.of(
                new Forgery("no signature", mallory, message, "554 5.7.1 No DKIM signature found"),
                new Forgery("signed with a key relay 1 never published", mallory,
                        DkimSigner.of(TwoRelays.DOMAIN1, otherKey).sign(message), "554 5.7.1 No valid DKIM signature found"),
                new Forgery("body changed after signing", mallory, tampered, "554 5.7.1 No valid DKIM signature found"),
                new Forgery("valid signature of relay1.test on mail From relay2.test", "mallory01@" + TwoRelays.DOMAIN2,
                        DkimSigner.of(TwoRelays.DOMAIN1, relay1Key).sign(
                                TestMessages.encrypted("mallory01@" + TwoRelays.DOMAIN2, to)),
                        "554 5.7.1 No valid DKIM signature found"));
    }

    record Forgery(String what, String from, byte[] message, String reply) {}

    @Test
    void forgedMailIsRefusedOnPort25AndOnMxDelivAndNothingIsStored() throws Exception {
        String bob = account(net.relay2, "bobforged");
        int storedBefore = StoredMail.count(net.relay2);
        HttpClient https = HttpClient.newBuilder().sslContext(TrustAllTls.context()).build();
        for (Forgery f : forgeries(bob)) {
            try (SmtpClient c = SmtpClient.connect(new InetSocketAddress(TwoRelays.IP2, net.ports.smtp()))) {
                c.expect(c.readReply(), 220);
                c.expect(c.ehlo(), 250);
                c.startTls();
                c.expect(c.ehlo(), 250);
                assertThat(c.sendMail(f.from(), bob, f.message()).line()).as("port 25: " + f.what()).isEqualTo(f.reply());
            }
            HttpResponse<String> answer = https.send(HttpRequest.newBuilder(
                            URI.create("https://" + TwoRelays.IP2 + ":" + net.ports.https() + "/mxdeliv"))
                    .header("X-MAIL-FROM", f.from()).header("X-MAIL-TO", bob)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(f.message())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as("/mxdeliv: " + f.what()).isEqualTo(400);
            assertThat(answer.body().strip()).as("/mxdeliv: " + f.what()).isEqualTo(f.reply());
        }
        assertThat(StoredMail.count(net.relay2)).isEqualTo(storedBefore);
    }

    @Test
    void printedRecordsPassTheDnsCheckAndAMissingRequiredRecordFailsIt() throws Exception {
        Path ini = net.writeIni(TwoRelays.DOMAIN2);
        var ok = TwoRelays.runCli("dns", "--check", "-c", ini.toString(), "--address", TwoRelays.IP2);
        assertThat(ok.output()).contains("; checking against dns_resolver " + net.nsd.resolverSetting(),
                "all required records are in place");
        assertThat(ok.exitCode()).isZero();
        String zone = net.zones.get(TwoRelays.DOMAIN2);
        try {
            net.nsd.zone(TwoRelays.DOMAIN2, zone.lines().filter(l -> !l.contains("_domainkey"))
                    .collect(Collectors.joining("\n"))).start();
            var missing = TwoRelays.runCli("dns", "--check", "-c", ini.toString(), "--address", TwoRelays.IP2);
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.output()).containsPattern("MISSING\\s+opendkim\\._domainkey\\.relay2\\.test\\. TXT \\(required\\)");
        } finally {
            net.nsd.zone(TwoRelays.DOMAIN2, zone).start();
        }
    }

    /**
     * A sending relay keeps its HTTPS connection: every POST on it gets its answer at once.
     * (The site handler once said NON_BLOCKING, so Jetty ran the blocking body read on the
     * selector thread and a body that came after the headers waited for the idle timeout.)
     */
    @Test
    void mxDelivAnswersEveryPostOnOneKeptAliveConnection() throws Exception {
        String bob = account(net.relay2, "bobkeepal");
        HttpClient https = HttpClient.newBuilder().sslContext(TrustAllTls.context())
                .version(HttpClient.Version.HTTP_1_1).build();
        byte[] unsigned = TestMessages.encrypted("mallory01@" + TwoRelays.DOMAIN1, bob);
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> answer = https.send(HttpRequest.newBuilder(
                            URI.create("https://" + TwoRelays.IP2 + ":" + net.ports.https() + "/mxdeliv"))
                    .timeout(Duration.ofSeconds(10))
                    .header("X-MAIL-FROM", "mallory01@" + TwoRelays.DOMAIN1).header("X-MAIL-TO", bob)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(unsigned)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.body().strip()).as("POST %d", i).isEqualTo("554 5.7.1 No DKIM signature found");
        }
    }

    /** Without trusted_ca_file relay 1 does not trust relay 2's certificate: the mail waits, unsent. */
    @Test
    void aRelayThatDoesNotTrustThePeersCertificateSendsNothing() throws Exception {
        String alice = account(net.relay1, "untrust01");
        String bob = account(net.relay2, "bobuntrus");
        var m = SmtpFixtures.deltaChatMessage(alice, bob, "untrusted.1@relay1.test");
        try (LogLines log = LogLines.of(OutboundDelivery.class)) {
            net.restartRelay1(b -> b.trustedCaFile = null);
            assertThat(net.submit(alice, List.of(bob), m.sent()).line()).startsWith("250");
            String deferred = log.await(l -> l.contains("at relay2.test deferred after attempt 1"), 20);
            assertThat(deferred).contains("SSLHandshakeException");
        } finally {
            net.restartRelay1(b -> { });
        }
        assertThat(inbox(net.relay2, bob)).isEmpty();
        // Trusting the CA again, the queued message goes out at its next attempt.
        try (var arrival = TwoRelays.arrivals(net.relay2, bob, 1)) {
            net.clock1.advance(Duration.ofMinutes(2));
            net.relay1.relay().outbound().wake();
            arrival.await(20);
        }
        assertQueueEmpty();
    }
}
