package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.testing.TestPostgres;
import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.SelfSignedCertificate;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ACME state nodes share in PostgreSQL (SCALE-2): what one node saves or publishes, another
 * node (its own connection pool) reads.
 */
class PostgresAcmeStateTest {

    static PostgresDatabase node1;
    static PostgresDatabase node2;

    @BeforeAll
    static void open() {
        StorageSettings database = TestPostgres.get().newDatabase();
        node1 = PostgresDatabase.open(database, 2);
        node2 = PostgresDatabase.open(database, 2);
    }

    @AfterAll
    static void close() {
        node1.close();
        node2.close();
    }

    @Test
    void accountAndCertificateSavedByOneNodeAreReadByAnotherWithTheVersionGrowing() throws Exception {
        PostgresAcmeState one = new PostgresAcmeState(node1);
        PostgresAcmeState two = new PostgresAcmeState(node2);
        assertThat(two.account()).isEmpty();
        assertThat(two.certificate()).isEmpty();
        assertThat(two.certificateVersion()).isZero();
        assertThat(two.shared()).isTrue();

        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        URI ca = URI.create("https://ca.example/directory");
        one.saveAccount(new AcmeAccount(keys, ca, Optional.empty()));
        assertThat(two.account().orElseThrow().location()).isEmpty();
        one.saveAccount(new AcmeAccount(keys, ca, Optional.of(URI.create("https://ca.example/acct/7").toURL())));
        AcmeAccount account = two.account().orElseThrow();
        assertThat(account.keys().getPublic().getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(account.keys().getPrivate().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(account.location()).contains(URI.create("https://ca.example/acct/7").toURL());
        assertThat(account.directory()).isEqualTo(ca);

        KeyMaterial first = SelfSignedCertificate.generate("chat.example",
                new CertificateNames(Set.of("chat.example"), Set.of()), Clock.systemUTC());
        one.saveCertificate(first);
        assertThat(two.certificateVersion()).isEqualTo(1);
        assertThat(two.certificate().orElseThrow().leaf()).isEqualTo(first.leaf());
        assertThat(two.certificate().orElseThrow().privateKey().getEncoded()).isEqualTo(first.privateKey().getEncoded());

        KeyMaterial second = SelfSignedCertificate.generate("chat.example",
                new CertificateNames(Set.of("chat.example", "www.chat.example"), Set.of()), Clock.systemUTC());
        two.saveCertificate(second);
        assertThat(one.certificateVersion()).isEqualTo(2);
        assertThat(one.certificate().orElseThrow().leaf()).isEqualTo(second.leaf());
    }

    @Test
    void aChallengePublishedByOneNodeIsAnsweredByAnotherUntilWithdrawn() throws Exception {
        PostgresAcmeState one = new PostgresAcmeState(node1);
        PostgresAcmeState two = new PostgresAcmeState(node2);
        PendingChallenge.Http01 http = new PendingChallenge.Http01("tok_en-1", "tok_en-1.thumb");
        PendingChallenge.TlsAlpn01 tls = new PendingChallenge.TlsAlpn01("WWW.Chat.Example", new byte[] {1, 2, 3, -1});
        one.publish(http);
        one.publish(tls);
        assertThat(two.http01("tok_en-1")).contains("tok_en-1.thumb");
        assertThat(two.tlsAlpn01("www.chat.example")).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3, -1));
        assertThat(two.tlsAlpn01("WWW.CHAT.EXAMPLE")).isPresent();
        assertThat(two.http01("other")).isEmpty();
        assertThat(two.http01("www.chat.example")).as("kinds apart").isEmpty();

        one.withdraw(http);
        one.withdraw(tls);
        assertThat(two.http01("tok_en-1")).isEmpty();
        assertThat(two.tlsAlpn01("www.chat.example")).isEmpty();
    }

    @Test
    void challengesLeftByANodeThatDiedMidOrderGoAtTheNextPublish() {
        // (One database for the class: the other tests use other tokens and withdraw theirs.)
        PostgresAcmeState one = new PostgresAcmeState(node1);
        one.publish(new PendingChallenge.Http01("left-behind", "left-behind.thumb"));
        node1.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE acme_challenges SET published_at = now() - interval '25 hours'")) {
                return s.executeUpdate();
            }
        });
        new PostgresAcmeState(node2).publish(new PendingChallenge.Http01("fresh", "fresh.thumb"));
        assertThat(one.http01("left-behind")).isEmpty();
        assertThat(one.http01("fresh")).contains("fresh.thumb");
    }
}
