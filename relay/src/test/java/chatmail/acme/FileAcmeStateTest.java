package chatmail.acme;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.SelfSignedCertificate;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data_dir/acme (OPS-1, SEC-6): what a restart finds, readable by the relay's user only. */
class FileAcmeStateTest {

    @TempDir
    Path dataDir;

    @Test
    void accountAndCertificateSurviveARestartInPrivateFiles() throws Exception {
        FileAcmeState state = new FileAcmeState(dataDir);
        assertThat(state.account()).isEmpty();
        assertThat(state.certificate()).isEmpty();

        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        URI ca = URI.create("https://ca.example/directory");
        state.saveAccount(new AcmeAccount(keys, ca, Optional.empty()));
        assertThat(new FileAcmeState(dataDir).account().orElseThrow().location()).isEmpty();
        state.saveAccount(new AcmeAccount(keys, ca, Optional.of(URI.create("https://ca.example/acct/7").toURL())));
        KeyMaterial certificate = SelfSignedCertificate.generate("chat.example",
                new CertificateNames(Set.of("chat.example"), Set.of()), Clock.systemUTC());
        state.saveCertificate(certificate);

        FileAcmeState restarted = new FileAcmeState(dataDir);
        AcmeAccount account = restarted.account().orElseThrow();
        assertThat(account.keys().getPublic().getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(account.keys().getPrivate().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(account.location()).contains(URI.create("https://ca.example/acct/7").toURL());
        assertThat(account.directory()).isEqualTo(ca);
        assertThat(restarted.certificate().orElseThrow().leaf()).isEqualTo(certificate.leaf());

        assertThat(Files.getPosixFilePermissions(restarted.directory())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (var files = Files.list(restarted.directory())) {
            assertThat(files.toList()).hasSize(4).allSatisfy(f ->
                    assertThat(Files.getPosixFilePermissions(f)).as(f.toString()).isEqualTo(PosixFilePermissions.fromString("rw-------")));
        }
    }

    @Test
    void challengesAreAnsweredOnlyWhilePending() {
        FileAcmeState state = new FileAcmeState(dataDir);
        PendingChallenge.Http01 http = new PendingChallenge.Http01("tok_en-1", "tok_en-1.thumb");
        PendingChallenge.TlsAlpn01 tls = new PendingChallenge.TlsAlpn01("WWW.Chat.Example", new byte[] {1, 2, 3});
        state.publish(http);
        state.publish(tls);
        assertThat(state.http01("tok_en-1")).contains("tok_en-1.thumb");
        assertThat(state.tlsAlpn01("www.chat.example")).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
        assertThat(state.http01("other")).isEmpty();

        state.withdraw(http);
        state.withdraw(tls);
        assertThat(state.http01("tok_en-1")).isEmpty();
        assertThat(state.tlsAlpn01("www.chat.example")).isEmpty();
        assertThat(dataDir.resolve("acme")).as("challenges never touch the disk").doesNotExist();
    }
}
