package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.cli.Main;
import chatmail.dns.NsdServer;
import chatmail.testing.LogLines;
import chatmail.testing.FreePorts;
import chatmail.testing.MutableClock;
import chatmail.testing.TestCa;
import chatmail.testing.TestRelay;
import chatmail.tls.CertificateStatus;
import chatmail.tls.CertificateStatusTest;
import chatmail.tls.PemFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.shredzone.acme4j.toolbox.AcmeUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPS-1 against a real ACME CA: Pebble validates the relay's TLS-ALPN-01 and HTTP-01 answers on
 * loopback, with NSD pointing the test domains at 127.0.0.1. Every certificate check is made by
 * a client that trusts only Pebble's root and checks the host name. Nothing leaves the machine:
 * the relays ask the test's DNS and the test's CA.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeCertificateTest {

    Path dir;
    TestCa ca;
    Path caFile;
    NsdServer nsd;
    PebbleServer pebble;
    CaTrustingClient client;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        ca = TestCa.create("CA of the test's Pebble listener");
        caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")));
        for (String domain : List.of("alpn.test", "http.test", "renew.test", "again.test", "ari.test")) {
            nsd.zone(domain, complete(domain));
        }
        nsd.zone("partial.test", "@ IN A 127.0.0.1\nmta-sts IN CNAME partial.test.\nautoconfig IN CNAME partial.test.");
        // The domain points at an address where nothing listens: the CA cannot validate.
        nsd.zone("wrong.test", "@ IN A 127.0.0.99");
        nsd.start();
        pebble = PebbleServer.start(dir, ca, nsd.resolverSetting(), Duration.ofHours(1));
        client = new CaTrustingClient(pebble.root());
    }

    @AfterAll
    void stop() {
        if (pebble != null) {
            pebble.close();
        }
        if (nsd != null) {
            nsd.close();
        }
    }

    static String complete(String domain) {
        return "@ IN A 127.0.0.1\nwww IN CNAME " + domain + ".\nmta-sts IN CNAME " + domain
                + ".\nautoconfig IN CNAME " + domain + ".";
    }

    static List<String> allNames(String domain) {
        return List.of(domain, "www." + domain, "mta-sts." + domain, "autoconfig." + domain);
    }

    /** A relay for a public domain with no certificate configuration, its challenge ports on Pebble's. */
    TestRelay relay(String domain, MutableClock clock, boolean http, boolean https) throws Exception {
        return relay(domain, clock, http, https, pebble.directory());
    }

    TestRelay relay(String domain, MutableClock clock, boolean http, boolean https, URI directory) throws Exception {
        int[] ports = FreePorts.take(3);
        return TestRelay.startOnConfiguredPorts(domain, dir.resolve("data-" + domain), clock, b -> {
            b.smtpPort = ports[0];
            b.submissionPort = 0;
            b.submissionsPort = ports[1];
            b.imapPort = 0;
            b.imapsPort = ports[2];
            b.httpPort = http ? pebble.httpPort() : 0;
            b.httpsPort = https ? pebble.tlsPort() : 0;
            b.dnsResolver = nsd.resolverSetting();
            b.acmeDirectory = directory;
            b.trustedCaFile = caFile;
        });
    }

    static AcmeWorker acme(TestRelay relay) {
        return relay.relay().acme().orElseThrow();
    }

    @Test
    void tlsAlpn01AloneGivesACertificateThatEveryTlsPortServes() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (LogLines log = LogLines.of(AcmeWorker.class);
                TestRelay relay = relay("alpn.test", clock, false, true)) {
            assertThat(relay.relay().ports()).doesNotContainKey("http");
            acme(relay).runDue();

            X509Certificate leaf = client.certificate(relay.port("imaps"), "alpn.test", List.of());
            assertThat(CertificateStatus.namesOf(leaf)).containsExactlyElementsOf(allNames("alpn.test"));
            assertThat(leaf.getIssuerX500Principal()).isNotEqualTo(leaf.getSubjectX500Principal());
            assertThat(client.certificate(relay.port("submissions"), "alpn.test", List.of())).isEqualTo(leaf);
            assertThat(client.smtpStartTls(relay.port("smtp"), "alpn.test")).isEqualTo(leaf);
            assertThat(client.certificate(relay.port("https"), "alpn.test", List.of())).isEqualTo(leaf);
            assertThat(client.certificate(relay.port("https"), "www.alpn.test", List.of("http/1.1"))).isEqualTo(leaf);
            assertThat(client.certificate(relay.port("https"), "mta-sts.alpn.test", List.of("imap"))).isEqualTo(leaf);

            CertificateStatus status = relay.relay().certificateStatus();
            assertThat(status.standIn()).isFalse();
            assertThat(status.names()).containsExactlyElementsOf(allNames("alpn.test"));
            assertThat(status.notAfter()).isEqualTo(leaf.getNotAfter().toInstant());
            assertThat(status.renewalDue()).contains(RenewalTime.twoThirds(leaf));
            assertThat(status.lastProblem()).isEmpty();
            assertThat(acme(relay).orders()).isEqualTo(1);
            assertThat(CertificateStatusTest.expiryGauge(relay.relay().metrics())).isEqualTo(leaf.getNotAfter().getTime() / 1000.0);
            assertThat(log.lines()).anyMatch(l -> l.contains("ordering a certificate for alpn.test, www.alpn.test,")
                    && l.contains("no certificate yet"));
            assertThat(log.lines()).anyMatch(l -> l.contains("new certificate for alpn.test"));

            Path acmeDir = dir.resolve("data-alpn.test/acme");
            assertThat(Files.getPosixFilePermissions(acmeDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            for (String file : List.of("account.pem", "account.url", "cert.pem", "key.pem")) {
                assertThat(Files.getPosixFilePermissions(acmeDir.resolve(file))).as(file)
                        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            }
            assertThat(PemFiles.readCertificates(acmeDir.resolve("cert.pem")).getFirst()).isEqualTo(leaf);

            Path ini = Files.writeString(dir.resolve("alpn.ini"), "[params]\nmail_domain = alpn.test\ndata_dir = "
                    + dir.resolve("data-alpn.test") + "\ndns_resolver = " + nsd.resolverSetting() + "\n");
            StringWriter out = new StringWriter();
            Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                    "dns", "--check", "-c", ini.toString(), "--address", "127.0.0.1");
            assertThat(out.toString()).contains("; certificate (ACME): alpn.test, www.alpn.test, mta-sts.alpn.test, "
                    + "autoconfig.alpn.test, valid until " + leaf.getNotAfter().toInstant() + ", renewal due "
                    + RenewalTime.twoThirds(leaf));
        }
    }

    @Test
    void http01AloneGivesACertificate() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestRelay relay = relay("http.test", clock, true, false)) {
            assertThat(relay.relay().ports()).doesNotContainKey("https");
            acme(relay).runDue();

            X509Certificate leaf = client.certificate(relay.port("submissions"), "http.test", List.of());
            assertThat(CertificateStatus.namesOf(leaf)).containsExactlyElementsOf(allNames("http.test"));
            assertThat(client.certificate(relay.port("imaps"), "autoconfig.http.test", List.of())).isEqualTo(leaf);
            assertThat(client.smtpStartTls(relay.port("smtp"), "http.test")).isEqualTo(leaf);
        }
    }

    @Test
    void aNameThatDoesNotResolveIsLeftOutAndOrderedOnceItResolves() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (LogLines log = LogLines.of(AcmeWorker.class);
                TestRelay relay = relay("partial.test", clock, false, true)) {
            acme(relay).runDue();
            X509Certificate first = client.certificate(relay.port("imaps"), "partial.test", List.of());
            assertThat(CertificateStatus.namesOf(first))
                    .containsExactly("partial.test", "mta-sts.partial.test", "autoconfig.partial.test");
            assertThat(log.lines()).anyMatch(l -> l.contains("www.partial.test does not resolve"));
            assertThatThrownBy(() -> client.certificate(relay.port("https"), "www.partial.test", List.of()))
                    .isInstanceOf(SSLHandshakeException.class);
            // The worker looks at DNS again a minute later by itself.
            assertThat(acme(relay).nextCheck()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));

            nsd.zone("partial.test", complete("partial.test")).start();
            clock.advance(Duration.ofMinutes(1));
            acme(relay).runDue();

            X509Certificate second = client.certificate(relay.port("https"), "www.partial.test", List.of());
            assertThat(CertificateStatus.namesOf(second)).containsExactlyElementsOf(allNames("partial.test"));
            assertThat(acme(relay).orders()).isEqualTo(2);
            assertThat(log.lines()).anyMatch(l -> l.contains("www.partial.test resolves now and the certificate lacks it"));
        }
    }

    @Test
    void renewalReplacesTheCertificateForNewConnectionsWhileOldConnectionsKeepWorking() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestRelay relay = relay("renew.test", clock, true, true)) {
            acme(relay).runDue();
            X509Certificate first = client.certificate(relay.port("imaps"), "renew.test", List.of());
            Instant due = relay.relay().certificateStatus().renewalDue().orElseThrow();
            assertThat(due).isEqualTo(RenewalTime.twoThirds(first));
            assertThat(acme(relay).nextCheck()).isEqualTo(due);

            try (SSLSocket old = client.connect(relay.port("imaps"), "renew.test", List.of())) {
                BufferedReader in = new BufferedReader(new InputStreamReader(old.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = old.getOutputStream();
                assertThat(in.readLine()).startsWith("* OK");
                out.write("a LOGIN renewuser@renew.test password-renew\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(awaitTagged(in, "a")).startsWith("a OK");

                clock.advance(Duration.between(clock.instant(), due).minusSeconds(1));
                acme(relay).runDue();
                assertThat(acme(relay).orders()).as("not due a second early").isEqualTo(1);
                clock.advance(Duration.ofSeconds(1));
                acme(relay).runDue();
                assertThat(acme(relay).orders()).isEqualTo(2);

                X509Certificate second = client.certificate(relay.port("imaps"), "renew.test", List.of());
                assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
                assertThat(client.certificate(relay.port("submissions"), "renew.test", List.of())).isEqualTo(second);
                assertThat(client.certificate(relay.port("https"), "renew.test", List.of())).isEqualTo(second);
                assertThat(client.smtpStartTls(relay.port("smtp"), "renew.test")).isEqualTo(second);
                assertThat(relay.relay().certificateStatus().renewalDue()).contains(RenewalTime.twoThirds(second));

                out.write("b NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(awaitTagged(in, "b")).startsWith("b OK");
                assertThat(old.getSession().getPeerCertificates()[0]).isEqualTo(first);
            }
        }
    }

    @Test
    void aRefusedOrderKeepsTheSelfSignedCertificateLogsWhyAndBacksOff() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (LogLines log = LogLines.of(AcmeWorker.class);
                TestRelay relay = relay("wrong.test", clock, false, true)) {
            Instant t0 = clock.instant();
            acme(relay).runDue();
            assertThat(acme(relay).orders()).isEqualTo(1);
            assertThat(log.lines()).anyMatch(l -> l.contains("serving a self-signed certificate until"));
            String failure = log.await(l -> l.contains("certificate order for wrong.test failed"), 30);
            assertThat(failure).startsWith("WARN").contains("127.0.0.99").contains("serving the self-signed certificate")
                    .doesNotContain("\n");

            CertificateStatus status = relay.relay().certificateStatus();
            assertThat(status.standIn()).isTrue();
            assertThat(status.lastProblem()).hasValueSatisfying(p -> assertThat(p).contains("127.0.0.99"));
            assertThat(status.nextAttempt()).contains(t0.plus(Duration.ofMinutes(1)));
            X509Certificate served = anyCertificate(relay.port("imaps"));
            assertThat(served).isEqualTo(PemFiles.readCertificates(dir.resolve("data-wrong.test/tls/cert.pem")).getFirst());
            assertThat(status.names()).isEqualTo(CertificateStatus.namesOf(served));
            assertThat(CertificateStatusTest.expiryGauge(relay.relay().metrics())).isEqualTo(served.getNotAfter().getTime() / 1000.0);
            assertThatThrownBy(() -> client.certificate(relay.port("imaps"), "wrong.test", List.of()))
                    .isInstanceOf(SSLHandshakeException.class);

            // 1 min, then 2, then 4: nothing before each is due.
            Instant next = t0.plus(Duration.ofMinutes(1));
            int orders = 1;
            for (Duration pause : List.of(Duration.ofMinutes(2), Duration.ofMinutes(4))) {
                clock.set(next.minusSeconds(1));
                acme(relay).runDue();
                assertThat(acme(relay).orders()).isEqualTo(orders);
                clock.set(next);
                acme(relay).runDue();
                assertThat(acme(relay).orders()).isEqualTo(++orders);
                next = next.plus(pause);
                assertThat(relay.relay().certificateStatus().nextAttempt()).contains(next);
            }

            // Fixed DNS is noticed at the next look, without waiting for the back-off.
            nsd.zone("wrong.test", complete("wrong.test")).start();
            clock.advance(Duration.ofMinutes(1));
            acme(relay).runDue();
            assertThat(acme(relay).orders()).isEqualTo(orders + 1);
            X509Certificate leaf = client.certificate(relay.port("imaps"), "wrong.test", List.of());
            assertThat(CertificateStatus.namesOf(leaf)).containsExactlyElementsOf(allNames("wrong.test"));
            assertThat(relay.relay().certificateStatus().lastProblem()).isEmpty();
            assertThat(relay.relay().certificateStatus().nextAttempt()).isEmpty();
        }
    }

    @Test
    void aRestartReusesTheStoredAccountAndCertificateWithoutANewOrder() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        Path acmeDir = dir.resolve("data-again.test/acme");
        X509Certificate leaf;
        try (TestRelay relay = relay("again.test", clock, false, true)) {
            acme(relay).runDue();
            leaf = client.certificate(relay.port("imaps"), "again.test", List.of());
        }
        byte[] accountKey = Files.readAllBytes(acmeDir.resolve("account.pem"));
        String accountUrl = Files.readString(acmeDir.resolve("account.url"));
        assertThat(accountUrl.lines().toList()).hasSize(2).first().isEqualTo(pebble.directory().toString());

        try (LogLines log = LogLines.of(AcmeWorker.class);
                TestRelay relay = relay("again.test", clock, false, true)) {
            // Served from the first connection on, before the worker's first round.
            assertThat(client.certificate(relay.port("imaps"), "again.test", List.of())).isEqualTo(leaf);
            acme(relay).runDue();
            assertThat(acme(relay).orders()).isZero();
            assertThat(client.certificate(relay.port("https"), "again.test", List.of())).isEqualTo(leaf);
            assertThat(log.lines()).anyMatch(l -> l.contains("serving the stored ACME certificate"));
        }
        assertThat(Files.readAllBytes(acmeDir.resolve("account.pem"))).isEqualTo(accountKey);
        assertThat(Files.readString(acmeDir.resolve("account.url"))).isEqualTo(accountUrl);

        // Another CA (as when switching from staging to production): its certificate, not the old one.
        try (RenewalInfoStub otherCa = new RenewalInfoStub(ca, pebble.directory());
                LogLines log = LogLines.of(AcmeWorker.class);
                TestRelay relay = relay("again.test", clock, false, true, otherCa.directory())) {
            assertThat(relay.relay().certificateStatus().standIn()).isTrue();
            assertThat(log.lines()).anyMatch(l -> l.contains("the stored ACME certificate comes from " + pebble.directory()
                    + ", but acme_directory is now " + otherCa.directory()));
            acme(relay).runDue();
            assertThat(acme(relay).orders()).isEqualTo(1);
            X509Certificate fromOtherCa = client.certificate(relay.port("imaps"), "again.test", List.of());
            assertThat(fromOtherCa.getSerialNumber()).isNotEqualTo(leaf.getSerialNumber());
        }
        assertThat(Files.readString(acmeDir.resolve("account.url"))).startsWith("https://127.0.0.1:");
        assertThat(Files.readAllLines(acmeDir.resolve("account.url")).getFirst()).endsWith("/dir")
                .isNotEqualTo(pebble.directory().toString());
    }

    @Test
    void aRenewalWindowOfTheCaEarlierThanTwoThirdsRenewsEarly() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (RenewalInfoStub ari = new RenewalInfoStub(ca, pebble.directory());
                TestRelay relay = relay("ari.test", clock, false, true, ari.directory())) {
            Instant tomorrow = clock.instant().plus(Duration.ofDays(1));
            ari.window(tomorrow, tomorrow.plus(Duration.ofHours(1)), 120);
            acme(relay).runDue();
            X509Certificate first = client.certificate(relay.port("imaps"), "ari.test", List.of());
            assertThat(ari.asked()).containsExactly(AcmeUtils.getRenewalUniqueIdentifier(first));
            // A window after the two-thirds point changes nothing; the CA is asked again after its Retry-After.
            assertThat(relay.relay().certificateStatus().renewalDue()).contains(RenewalTime.twoThirds(first));
            assertThat(acme(relay).nextCheck()).isBetween(clock.instant().plusSeconds(118), clock.instant().plusSeconds(120));

            // The CA wants the certificate replaced now (as after an announced revocation).
            ari.window(AcmeUtils.getRenewalUniqueIdentifier(first),
                    clock.instant().minus(Duration.ofMinutes(2)), clock.instant().minus(Duration.ofMinutes(1)));
            clock.advance(Duration.ofSeconds(60));
            acme(relay).runDue();
            assertThat(ari.asked()).hasSize(1);
            assertThat(acme(relay).orders()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(60));
            acme(relay).runDue();

            assertThat(ari.asked()).hasSize(3); // the old certificate's window, then the new one's
            assertThat(acme(relay).orders()).isEqualTo(2);
            assertThat(clock.instant()).isBefore(RenewalTime.twoThirds(first));
            X509Certificate second = client.certificate(relay.port("imaps"), "ari.test", List.of());
            assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
            assertThat(ari.asked().getLast()).isEqualTo(AcmeUtils.getRenewalUniqueIdentifier(second));
            assertThat(relay.relay().certificateStatus().renewalDue()).contains(RenewalTime.twoThirds(second));
        }
    }

    /** The certificate a port serves, without checking it. */
    private static X509Certificate anyCertificate(int port) throws Exception {
        try (SSLSocket tls = (SSLSocket) chatmail.smtp.TrustAllTls.socketFactory()
                .createSocket(java.net.InetAddress.getLoopbackAddress(), port)) {
            tls.startHandshake();
            return (X509Certificate) tls.getSession().getPeerCertificates()[0];
        }
    }

    private static String awaitTagged(BufferedReader in, String tag) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(tag + " ")) {
                return line;
            }
        }
        throw new AssertionError("connection closed before the tagged reply " + tag);
    }
}
