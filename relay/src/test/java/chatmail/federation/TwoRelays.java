package chatmail.federation;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.testing.TestCa;
import chatmail.dns.NsdServer;
import chatmail.smtp.ServerReply;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.StoredMail;
import chatmail.store.MailStore;
import chatmail.store.MailboxEvents;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Two relays of this project as two independent servers on one machine: relay1.test on
 * 127.0.0.2 and relay2.test on 127.0.0.3, the same port numbers on both (other relays reach a
 * host on {@code outbound_smtp_port} / {@code outbound_https_port}), certificates from a test CA
 * that both are told to trust ({@code trusted_ca_file}), and a real DNS server (NSD) serving the
 * zones that {@code chatmail dns} printed for each, which both relays ask ({@code dns_resolver}).
 * Relay 2 can be stopped and started again with its port 25 or HTTPS closed.
 */
final class TwoRelays implements AutoCloseable {

    static final String DOMAIN1 = "relay1.test";
    static final String DOMAIN2 = "relay2.test";
    static final String IP1 = "127.0.0.2";
    static final String IP2 = "127.0.0.3";
    /** The classic mail server's address; its ports are kept free too. */
    static final String IP_CLASSIC = "127.0.0.4";
    static final String PASSWORD = "correct-horse-battery";

    final Path dir;
    final TestCa ca;
    final Path caFile;
    final NsdServer nsd;
    final Ports ports;
    final Map<String, String> zones = new LinkedHashMap<>();
    final MutableClock clock1 = new MutableClock();
    final MutableClock clock2 = new MutableClock();
    TestRelay relay1;
    TestRelay relay2;

    /** Port numbers free on all three addresses; smtp doubles as the classic server's port 25. */
    record Ports(int smtp, int submissions, int https) {}

    TwoRelays(Path dir) throws Exception {
        this(dir, true);
    }

    /**
     * With {@code startRelays} false neither relay runs yet: the test starts relay 2 when it
     * wants it and runs relay1.test itself (e.g. as nodes of a cluster).
     */
    TwoRelays(Path dir, boolean startRelays) throws Exception {
        this.dir = dir;
        ca = TestCa.create("federation test CA");
        caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        int smtp = freePort();
        int submissions = freePort();
        int https = freePort();
        while (submissions == smtp) {
            submissions = freePort();
        }
        while (https == smtp || https == submissions) {
            https = freePort();
        }
        ports = new Ports(smtp, submissions, https);
        nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")))
                .zone(DOMAIN1, "@ IN A " + IP1)
                .zone(DOMAIN2, "@ IN A " + IP2)
                .start(); // its port goes into the relays' config
        for (String domain : List.of(DOMAIN1, DOMAIN2)) {
            ca.issue(domain, "mta-sts." + domain, "www." + domain).write(chain(domain), key(domain));
            Path ini = writeIni(domain);
            zones.put(domain, printedZone(ini, domain.equals(DOMAIN1) ? IP1 : IP2));
            nsd.zone(domain, zones.get(domain));
        }
        nsd.start();
        if (!startRelays) {
            return;
        }
        try {
            relay1 = startRelay(DOMAIN1, clock1, b -> { });
            startRelay2(true, true);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Restarts relay 1 on its data directory with a config change (e.g. not trusting the test CA). */
    void restartRelay1(Consumer<chatmail.config.Config.Builder> adjust) throws IOException {
        relay1.close();
        relay1 = null;
        relay1 = startRelay(DOMAIN1, clock1, adjust);
    }

    /** Runs {@code chatmail dns} for a relay's config; the relay later signs with the key it made. */
    static String printedZone(Path ini, String address) {
        var run = runCli("dns", "-c", ini.toString(), "--address", address);
        assertThat(run.exitCode()).as(run.output()).isZero();
        return run.output();
    }

    record CliRun(int exitCode, String output) {}

    static CliRun runCli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out + err.toString());
    }

    /** The relay's chatmail.ini as an operator would write it (used by the dns command). */
    Path writeIni(String domain) throws IOException {
        Path ini = dir.resolve(domain + ".ini");
        Files.writeString(ini, "[params]\nmail_domain = " + domain + "\ndata_dir = " + dataDir(domain)
                + "\ndns_resolver = " + nsd.resolverSetting()
                + "\ntls_external_cert_and_key = " + chain(domain) + " " + key(domain) + "\n");
        return ini;
    }

    Path dataDir(String domain) {
        return dir.resolve("data-" + domain);
    }

    Path chain(String domain) {
        return dir.resolve(domain + "-chain.pem");
    }

    Path key(String domain) {
        return dir.resolve(domain + "-key.pem");
    }

    TestRelay startRelay(String domain, MutableClock clock, Consumer<chatmail.config.Config.Builder> adjust)
            throws IOException {
        return TestRelay.startOnConfiguredPorts(domain, dataDir(domain), clock, b -> {
            b.listenAddresses = List.of(domain.equals(DOMAIN1) ? IP1 : IP2);
            b.smtpPort = ports.smtp();
            b.submissionPort = 0;
            b.submissionsPort = ports.submissions();
            b.imapPort = 0;
            b.imapsPort = 0;
            b.httpPort = 0;
            b.httpsPort = ports.https();
            b.tlsCertFile = chain(domain);
            b.tlsKeyFile = key(domain);
            b.dnsResolver = nsd.resolverSetting();
            b.trustedCaFile = caFile;
            b.outboundSmtpPort = ports.smtp();
            b.outboundHttpsPort = ports.https();
            // Latency runs send 20 messages in a row from one account.
            b.maxUserSendPerMinute = 6000;
            b.maxUserSendBurstSize = 1000;
            adjust.accept(b);
        });
    }

    /** (Re)starts relay 2 on its data directory, with port 25 and HTTPS open or closed. */
    void startRelay2(boolean smtp, boolean https) throws IOException {
        stopRelay2();
        relay2 = startRelay(DOMAIN2, clock2, b -> {
            b.smtpPort = smtp ? ports.smtp() : 0;
            b.httpsPort = https ? ports.https() : 0;
        });
    }

    void stopRelay2() {
        if (relay2 != null) {
            relay2.close();
            relay2 = null;
        }
    }

    /** Creates the account as its first login would and returns the address. */
    static String account(TestRelay relay, String localPart) {
        String address = relay.addressOf(localPart);
        relay.relay().accounts().login(address, PASSWORD).orElseThrow();
        return address;
    }

    /** Submits a message on relay 1's port 465 as {@code from} (logged in); the reply to DATA. */
    ServerReply submit(String from, List<String> to, byte[] message) throws IOException {
        try (SmtpClient c = SmtpClient.connectTls(new InetSocketAddress(IP1, ports.submissions()))) {
            c.expect(c.readReply(), 220);
            c.expect(c.ehlo(), 250);
            c.expect(c.authPlain(from, PASSWORD), 235);
            return c.sendMail(from, to, message);
        }
    }

    /**
     * Completes when the account's INBOX on {@code relay} has received {@code count} more
     * messages; subscribe before sending.
     */
    static Arrival arrivals(TestRelay relay, String address, int count) {
        MailStore store = relay.relay().store();
        long accountId = store.findAccount(address).orElseThrow().id();
        long inbox = store.mailbox(accountId, "INBOX").orElseThrow().id();
        CompletableFuture<Long> done = new CompletableFuture<>();
        List<Long> times = new ArrayList<>();
        MailboxEvents.Subscription subscription = store.events().subscribe(accountId, event -> {
            if (event instanceof MailboxEvents.MessagesAdded added && added.mailboxId() == inbox) {
                long now = System.nanoTime();
                synchronized (times) {
                    for (int i = 0; i < added.uids().size(); i++) {
                        times.add(now);
                    }
                    if (times.size() >= count) {
                        done.complete(now);
                    }
                }
            }
        });
        return new Arrival(subscription, done, times);
    }

    record Arrival(MailboxEvents.Subscription subscription, CompletableFuture<Long> done, List<Long> times)
            implements AutoCloseable {
        /** Waits (with a deadline) until all expected messages are in; the nanoTime of the last. */
        long await(long seconds) throws Exception {
            try {
                return done.get(seconds, TimeUnit.SECONDS);
            } finally {
                subscription.close();
            }
        }

        @Override
        public void close() {
            subscription.close();
        }
    }

    static List<String> inbox(TestRelay relay, String address) {
        return StoredMail.inbox(relay, address).stream()
                .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    /** A port number free for TCP on all three loopback addresses right now. */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate;
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(IP1))) {
                candidate = first.getLocalPort();
            }
            if (freeOn(IP2, candidate) && freeOn(IP_CLASSIC, candidate) && freeOn(IP1, candidate)) {
                return candidate;
            }
        }
        throw new IOException("no port free on " + IP1 + ", " + IP2 + " and " + IP_CLASSIC);
    }

    private static boolean freeOn(String address, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(address))) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    @Override
    public void close() {
        stopRelay2();
        if (relay1 != null) {
            relay1.close();
        }
        nsd.close();
    }
}
