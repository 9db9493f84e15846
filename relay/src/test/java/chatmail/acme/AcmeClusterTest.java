package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.StorageSettings;
import chatmail.dns.NsdServer;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.testing.FreePorts;
import chatmail.testing.LogLines;
import chatmail.testing.MutableClock;
import chatmail.testing.TestCa;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACME on a relay of two nodes sharing PostgreSQL (SCALE-2) against a real CA: Pebble validates
 * every name at 127.0.0.3, where node 2 listens, while node 1 on 127.0.0.2 holds the order
 * lease and orders: each validation succeeds only because node 2 answers the challenge node 1
 * published in the database. Node 2 never orders and serves node 1's certificates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeClusterTest {
    private static final String DOMAIN = "cluster.test";

    Path dir;
    Path caFile;
    NsdServer nsd;
    PebbleServer pebble;
    CaTrustingClient client;
    StorageSettings database;
    int[] ports;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        TestCa ca = TestCa.create("CA of the test's Pebble listener");
        caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")));
        nsd.zone(DOMAIN, "@ IN A 127.0.0.3\nwww IN CNAME " + DOMAIN + ".\nmta-sts IN CNAME " + DOMAIN
                + ".\nautoconfig IN CNAME " + DOMAIN + ".");
        nsd.start();
        pebble = PebbleServer.start(dir, ca, nsd.resolverSetting(), Duration.ofHours(1));
        client = new CaTrustingClient(pebble.root());
        database = TestPostgres.get().newDatabase();
        ports = FreePorts.take(3);
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

    /** A node on {@code address}: same config as every other node but for address and data_dir. */
    TestRelay node(String address, Path data, MutableClock clock) throws Exception {
        return TestRelay.startOnConfiguredPorts(DOMAIN, data, clock, b -> {
            b.listenAddresses = List.of(address);
            b.storage = database;
            b.smtpPort = ports[0];
            b.submissionPort = 0;
            b.submissionsPort = ports[1];
            b.imapPort = 0;
            b.imapsPort = ports[2];
            b.httpPort = pebble.httpPort();
            b.httpsPort = pebble.tlsPort();
            b.dnsResolver = nsd.resolverSetting();
            b.acmeDirectory = pebble.directory();
            b.trustedCaFile = caFile;
        });
    }

    static AcmeWorker acme(TestRelay relay) {
        return relay.relay().acme().orElseThrow();
    }

    X509Certificate served(TestRelay node, String service) throws Exception {
        return client.certificate(node.host(), node.port(service), DOMAIN, List.of());
    }

    @Test
    void oneNodeOrdersAnotherAnswersItsChallengesBothServeTheCertificateAndARestartKeepsTheAccount() throws Exception {
        MutableClock clock1 = new MutableClock(Instant.now());
        // Node 2's clock stands still: its own renewal is never due, so any certificate it serves came from node 1.
        MutableClock clock2 = new MutableClock(clock1.instant());
        try (LogLines registrations = LogLines.of(AcmeClient.class);
                LogLines worker = LogLines.of(AcmeWorker.class);
                PostgresDatabase db = PostgresDatabase.open(database, 1)) {
            TestRelay node1 = node("127.0.0.2", dir.resolve("node1"), clock1);
            TestRelay node2 = null;
            try {
                // Nothing listens at 127.0.0.3 yet: node 1's first order fails, and it keeps the
                // order lease through its back-off.
                acme(node1).runDue();
                assertThat(acme(node1).orders()).isEqualTo(1);
                assertThat(node1.relay().certificateStatus().standIn()).isTrue();

                node2 = node("127.0.0.3", dir.resolve("node2"), clock2);
                acme(node2).runDue();
                assertThat(acme(node2).orders()).isZero();
                assertThat(worker.lines()).anyMatch(l -> l.contains("another node of this relay is ordering the certificate"));
                assertThat(acme(node2).nextCheck()).isEqualTo(clock2.instant().plus(Duration.ofMinutes(1)));

                // Node 1's retry answers HTTP-01 (TLS-ALPN-01 failed first): Pebble asks node 2.
                clock1.advance(Duration.ofMinutes(1));
                acme(node1).runDue();
                assertThat(acme(node1).orders()).isEqualTo(2);
                X509Certificate first = served(node1, "imaps");
                assertThat(node1.relay().certificateStatus().standIn()).isFalse();
                assertThat(challengeRows(db)).as("withdrawn once decided").isZero();

                // Node 2 takes it from the database at its next look, at most a minute later.
                TestRelay second2 = node2;
                assertThatThrownBy(() -> served(second2, "imaps")).as("still the self-signed stand-in")
                        .isInstanceOf(SSLHandshakeException.class);
                acme(node2).runDue();
                assertThat(served(node2, "imaps")).isEqualTo(first);
                assertThat(served(node2, "submissions")).isEqualTo(first);
                assertThat(client.certificate(node2.host(), node2.port("https"), "mta-sts." + DOMAIN, List.of())).isEqualTo(first);
                assertThat(node2.relay().certificateStatus().standIn()).isFalse();
                assertThat(acme(node2).orders()).isZero();

                // The renewal answers TLS-ALPN-01 (no failure before it): node 2's port-443 router answers.
                clock1.set(RenewalTime.twoThirds(first));
                acme(node1).runDue();
                assertThat(acme(node1).orders()).isEqualTo(3);
                X509Certificate second = served(node1, "imaps");
                assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
                acme(node2).runDue();
                assertThat(served(node2, "imaps")).isEqualTo(second);
                assertThat(acme(node2).orders()).isZero();
                assertThat(registrations.lines()).filteredOn(l -> l.contains("registered an ACME account")).hasSize(1);
                String account = accountRow(db);

                // Node 1 again, with an empty data_dir: it serves the stored certificate from the start.
                node1.close();
                node1 = node("127.0.0.2", dir.resolve("node1-again"), new MutableClock(Instant.now()));
                assertThat(served(node1, "imaps")).isEqualTo(second);
                // And once more with the certificate gone from the database (as after an operator
                // removed a revoked one): it orders at once, without waiting for a lease (the
                // process before gave it up with its certificate), logging in with the stored account.
                node1.close();
                deleteCertificate(db);
                node1 = node("127.0.0.2", dir.resolve("node1-again"), new MutableClock(Instant.now()));
                acme(node1).runDue();
                assertThat(acme(node1).orders()).isEqualTo(1);
                X509Certificate third = served(node1, "imaps");
                assertThat(third.getSerialNumber()).isNotEqualTo(second.getSerialNumber());
                assertThat(registrations.lines()).filteredOn(l -> l.contains("registered an ACME account")).hasSize(1);
                assertThat(accountRow(db)).isEqualTo(account);
                acme(node2).runDue();
                assertThat(served(node2, "imaps")).isEqualTo(third);
                assertThat(acme(node2).orders()).isZero();

                for (String data : List.of("node1", "node1-again", "node2")) {
                    assertThat(dir.resolve(data).resolve("acme")).as("nothing of ACME in " + data).doesNotExist();
                }
            } finally {
                node1.close();
                if (node2 != null) {
                    node2.close();
                }
            }
        }
    }

    private static void deleteCertificate(PostgresDatabase db) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM acme_certificate")) {
                return s.executeUpdate();
            }
        });
    }

    private static long challengeRows(PostgresDatabase db) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM acme_challenges");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static String accountRow(PostgresDatabase db) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT key_pem || directory || location FROM acme_account");
                    ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        });
    }

}
