package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.dkim.DkimKey;
import chatmail.dkim.DkimKeyFiles;
import chatmail.dns.NsdServer;
import chatmail.testing.TestCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 9: two relays for two domains on two loopback addresses, found through a real DNS
 * server (NSD: A, MX and DKIM records), verifying each other's certificates from a test CA. A
 * profile on each makes contact by Secure-Join across the relays, then writes both ways.
 */
@Tag("deltachat")
class DeltaChatFederationTest {

    static final String ALPHA = "alpha.localhost";
    static final String BETA = "beta.localhost";
    static final String ALPHA_IP = "127.0.0.2";
    static final String BETA_IP = "127.0.0.3";

    @TempDir
    Path dir;

    @Test
    void secureJoinAndMessagesAcrossTwoRelays() throws Exception {
        TestCa ca = TestCa.create("deltachat federation test CA");
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        DkimKey alphaKey = DkimKeyFiles.loadOrGenerate(Files.createDirectories(dataDir(ALPHA)), "opendkim");
        DkimKey betaKey = DkimKeyFiles.loadOrGenerate(Files.createDirectories(dataDir(BETA)), "opendkim");
        Ports ports = Ports.freeOnBoth(ALPHA_IP, BETA_IP);

        try (NsdServer nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")))
                        .zone(ALPHA, zone(ALPHA_IP, ALPHA, alphaKey))
                        .zone(BETA, zone(BETA_IP, BETA, betaKey))
                        .start();
                AcceptanceRelay alpha = relay(ca, caFile, nsd, ports, ALPHA, ALPHA_IP);
                AcceptanceRelay beta = relay(ca, caFile, nsd, ports, BETA, BETA_IP);
                DeltaChatCore core = DeltaChatCore.start(dir.resolve("client"), DcTimeouts.defaults())) {
            DeltaChatProfile alice = DeltaChatProfile.create(core, "alice");
            alice.configure(alpha.sslLogin(alpha.newCredentials()));
            DeltaChatProfile bob = DeltaChatProfile.create(core, "bob");
            bob.configure(beta.sslLogin(beta.newCredentials()));
            assertThat(alice.addr()).endsWith("@" + ALPHA);
            assertThat(bob.addr()).endsWith("@" + BETA);

            SecureJoin.Contact contact = SecureJoin.setupContact(alice, bob);
            DeltaChatMessagingTest.assertVerifiedEncrypted(alice, contact.inviterChat(), contact.inviterSeesJoiner(),
                    bob, contact.joinerSeesInviter());

            Latencies latencies = new Latencies();
            for (int i = 1; i <= 5; i++) {
                int bm = bob.mark();
                long sent = System.nanoTime();
                alice.sendText(contact.inviterChat(), "alpha to beta " + i);
                var in = bob.awaitIncomingText(bm, "alpha to beta " + i);
                latencies.add(sent, in.event().receivedNanos());
                assertThat(in.message().path("showPadlock").asBoolean()).isTrue();
                int am = alice.mark();
                sent = System.nanoTime();
                bob.sendText(contact.joinerChat(), "beta to alpha " + i);
                in = alice.awaitIncomingText(am, "beta to alpha " + i);
                latencies.add(sent, in.event().receivedNanos());
                assertThat(in.message().path("showPadlock").asBoolean()).isTrue();
            }
            System.out.println("[deltachat] " + latencies.summary("scenario 9 (across two relays)"));
        }
    }

    /** A relay whose data directory already holds the DKIM key published in the zone. */
    private AcceptanceRelay relay(TestCa ca, Path caFile, NsdServer nsd, Ports ports, String domain,
            String address) throws Exception {
        Path data = dataDir(domain);
        Path chain = dir.resolve(domain + "-chain.pem");
        Path key = dir.resolve(domain + "-key.pem");
        ca.issue(domain).write(chain, key);
        return AcceptanceRelay.startOnAddress(domain, address, data, b -> {
            b.tlsCertFile = chain;
            b.tlsKeyFile = key;
            b.trustedCaFile = caFile;
            b.dnsResolver = nsd.resolverSetting();
            ports.apply(b);
        });
    }

    private Path dataDir(String domain) {
        return dir.resolve(domain.equals(ALPHA) ? "alpha" : "beta");
    }

    private static String zone(String ip, String domain, DkimKey key) {
        return "@ IN A " + ip + "\n"
                + "@ IN MX 10 " + domain + ".\n"
                + key.selector() + "._domainkey IN TXT "
                + key.txtStrings().stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(" ")) + "\n";
    }

    /** Port numbers free on both addresses, so each relay reaches the other on its own numbers. */
    record Ports(int smtp, int submission, int submissions, int imap, int imaps, int http, int https) {

        static Ports freeOnBoth(String a, String b) throws IOException {
            return new Ports(free(a, b), free(a, b), free(a, b), free(a, b), free(a, b), free(a, b), free(a, b));
        }

        private static int free(String a, String b) throws IOException {
            for (int attempt = 0; attempt < 50; attempt++) {
                try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(a))) {
                    int port = first.getLocalPort();
                    try {
                        new ServerSocket(port, 1, InetAddress.getByName(b)).close();
                        return port;
                    } catch (IOException taken) {
                        // try another
                    }
                }
            }
            throw new IOException("no port free on both " + a + " and " + b);
        }

        void apply(Config.Builder b) {
            b.smtpPort = smtp;
            b.submissionPort = submission;
            b.submissionsPort = submissions;
            b.imapPort = imap;
            b.imapsPort = imaps;
            b.httpPort = http;
            b.httpsPort = https;
            b.outboundSmtpPort = smtp;
            b.outboundHttpsPort = https;
        }
    }
}
