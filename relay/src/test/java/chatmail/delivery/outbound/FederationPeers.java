package chatmail.delivery.outbound;

import chatmail.config.Config;
import chatmail.dkim.DkimKey;
import chatmail.dkim.DkimKeyFiles;
import chatmail.dkim.DkimSigner;
import chatmail.dns.NsdServer;
import chatmail.policy.fixtures.TestMessages;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.testing.MutableClock;
import chatmail.testing.TestCa;
import chatmail.testing.TestRelay;
import chatmail.tls.TlsContexts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real peers of a federation test: a CA, a receiving relay (this project's, MX on an
 * ephemeral port, certificate for {@code localhost} from the CA), an NSD serving the zones, an
 * HTTPS /mxdeliv stand-in, and the sending side's config (self-signed sender.localhost,
 * trusting the CA, outbound ports pointing at the receiving relay and the HTTPS server).
 */
final class FederationPeers implements AutoCloseable {

    static final String SENDER_DOMAIN = "sender.localhost";
    static final String PASSWORD = "correct-horse-battery";

    final Path dir;
    final MutableClock clock = new MutableClock();
    final TestCa ca;
    final Path caFile;
    final TestRelay relay;
    final NsdServer nsd;
    final MxDelivTestServer https;
    final DkimKey senderKey;
    final DkimSigner signer;

    FederationPeers(Path dir, String zoneOfRelayDomain) throws Exception {
        this.dir = dir;
        ca = TestCa.create("federation test CA");
        caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        TestCa.Leaf relayCert = ca.issue("localhost", TestRelay.DOMAIN);
        Path chain = dir.resolve("relay-chain.pem");
        Path key = dir.resolve("relay-key.pem");
        relayCert.write(chain, key);
        // The sender signs like a real relay, with its key published in the test's DNS, so the
        // receiving relay's SMTP-8 origin check passes for real.
        senderKey = DkimKeyFiles.loadOrGenerate(Files.createDirectories(dir.resolve("sender")), "opendkim");
        signer = DkimSigner.of(SENDER_DOMAIN, senderKey);
        nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")))
                .zone("localhost", "@ IN A 127.0.0.1")
                .zone(TestRelay.DOMAIN, zoneOfRelayDomain)
                .zone(SENDER_DOMAIN, dkimRecord(senderKey))
                .zone("down.test", "mx IN A 127.0.0.2")
                .zone("nullmx.test", "@ IN MX 0 .")
                .start();
        relay = TestRelay.start(Files.createDirectories(dir.resolve("relay")), clock, b -> {
            b.tlsCertFile = chain;
            b.tlsKeyFile = key;
            b.dnsResolver = nsd.resolverSetting();
        });
        https = new MxDelivTestServer(ca.issue("localhost").serverContext());
        https.responder = r -> new MxDelivTestServer.Answer(404, "not here");
    }

    /** The sending relay's config; {@code adjust} may change it. */
    Config senderConfig(boolean trustCa) throws IOException {
        Config.Builder b = Config.builder(SENDER_DOMAIN);
        b.dataDir = Files.createDirectories(dir.resolve("sender"));
        b.dnsResolver = nsd.resolverSetting();
        b.trustedCaFile = trustCa ? caFile : null;
        b.outboundSmtpPort = relay.port("smtp");
        b.outboundHttpsPort = https.port();
        b.allowPrivateDestinations = true; // the peers are on loopback
        return b.build();
    }

    RemoteDelivery remoteDelivery(Config sender) {
        TlsContexts tls = TlsContexts.create(sender, clock, Duration.ofMinutes(1));
        return new RemoteDelivery(chatmail.dns.DnsResolver.fromConfig(sender, Duration.ofSeconds(2)), tls, clock,
                OutboundSettings.of(sender), DestinationPolicy.forRelay(sender), sender.mailDomain(),
                sender.outboundSmtpPort(), sender.outboundHttpsPort(), false);
    }

    /** A local account on the receiving relay. */
    String account(String nineChars) {
        String address = TestRelay.address(nineChars);
        relay.relay().accounts().login(address, PASSWORD).orElseThrow();
        return address;
    }

    /** The messages in an account's INBOX on the receiving relay. */
    List<String> inbox(String address) throws IOException {
        MailStore store = relay.relay().store();
        Account account = store.findAccount(address).orElseThrow();
        Mailbox inbox = store.mailbox(account.id(), "INBOX").orElse(null);
        List<String> messages = new ArrayList<>();
        if (inbox != null) {
            for (var m : store.snapshot(inbox.id()).messages()) {
                messages.add(new String(store.content(inbox.id(), m.uid()), StandardCharsets.UTF_8));
            }
        }
        return messages;
    }

    /** An encrypted message from the sender domain, DKIM-signed by the sender. */
    byte[] encryptedMessage(String to) {
        return signer.sign(unsignedMessage(to));
    }

    static byte[] unsignedMessage(String to) {
        return TestMessages.encrypted("alice@" + SENDER_DOMAIN, to);
    }

    static String dkimRecord(DkimKey key) {
        return key.selector() + "._domainkey IN TXT "
                + key.txtStrings().stream().map(s -> "\"" + s + "\"").collect(java.util.stream.Collectors.joining(" "));
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        https.close();
        nsd.close();
        relay.close();
    }
}
