package chatmail.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.dns.DkimKeyCache;
import chatmail.dns.NsdServer;
import chatmail.policy.Replies;
import chatmail.policy.Verdict;
import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DKIM signing (SMTP-6) and the origin check (SMTP-8), keys published on a real DNS server. */
class DkimTest {

    @TempDir
    static Path dir;

    static NsdServer nsd;
    static DkimKey senderKey;
    static DkimKey otherKey;
    static DkimVerifier verifier;

    @BeforeAll
    static void publishKeys() throws Exception {
        senderKey = DkimKeyFiles.loadOrGenerate(dir.resolve("sender-data"), "opendkim");
        otherKey = DkimKeyFiles.loadOrGenerate(dir.resolve("other-data"), "sel2");
        Path dnsDir = Files.createDirectories(dir.resolve("dns"));
        nsd = NsdServer.in(dnsDir)
                .zone("sender.test", zoneEntry(senderKey))
                .zone("other.test", zoneEntry(otherKey))
                .start();
        verifier = new DkimVerifier(DkimKeyCache.standard(nsd.resolver(Duration.ofSeconds(2)), new MutableClock()));
    }

    static String zoneEntry(DkimKey key) {
        return key.selector() + "._domainkey IN TXT "
                + key.txtStrings().stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(" "));
    }

    @AfterAll
    static void stopDns() throws Exception {
        if (nsd != null) {
            nsd.close();
        }
    }

    static byte[] message(String from) {
        return TestMessages.encrypted(from, "bob@receiver.test");
    }

    @Test
    void signedMessageVerifies() {
        byte[] signed = DkimSigner.of("sender.test", senderKey).sign(message("alice@sender.test"));
        assertThat(verifier.check(signed)).isEqualTo(Verdict.accept());
    }

    @Test
    void theWarmUpsMessageIsOneAnIncomingCheckAccepts() {
        // The relay's warm-up checks it as an incoming message, to look its own key up.
        byte[] signed = DkimSigner.of("sender.test", senderKey).warmUp();
        assertThat(new String(signed, java.nio.charset.StandardCharsets.US_ASCII)).startsWith("DKIM-Signature:");
        assertThat(verifier.check(signed)).isEqualTo(Verdict.accept());
    }

    @Test
    void signatureHeaderHasTheReferenceParameters() {
        String signed = new String(DkimSigner.of("sender.test", senderKey).sign(message("alice@sender.test")),
                StandardCharsets.US_ASCII);
        String field = signed.substring(0, signed.indexOf("\r\n", signed.indexOf("b=")));
        String unfolded = signed.substring(0, signed.indexOf("\r\nFrom:") > 0 ? signed.indexOf("\r\nFrom:") : signed.length())
                .replaceAll("\r\n[\t ]+", " ");
        assertThat(field).startsWith("DKIM-Signature: ");
        assertThat(unfolded).contains("v=1;", "a=rsa-sha256", "c=relaxed/simple", "d=sender.test", "s=opendkim");
        // From is present once and oversigned: listed twice. Autocrypt is absent but still listed once.
        assertThat(unfolded).contains("h=from:from:").contains(":autocrypt;");
        assertThat(signed.lines().takeWhile(l -> !l.isEmpty()).allMatch(l -> l.length() <= 998)).isTrue();
    }

    @Test
    void unsignedMessageIsRefused() {
        assertThat(verifier.check(message("alice@sender.test"))).isEqualTo(Verdict.reject(Replies.NO_DKIM_SIGNATURE));
    }

    @Test
    void bodyChangedAfterSigningIsRefused() {
        String signed = new String(DkimSigner.of("sender.test", senderKey).sign(message("alice@sender.test")),
                StandardCharsets.US_ASCII);
        byte[] forged = signed.replace("Version: 1", "Version: 2").getBytes(StandardCharsets.US_ASCII);
        assertThat(verifier.check(forged)).isEqualTo(Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE));
    }

    @Test
    void addedSecondFromIsRefusedThanksToOversigning() {
        byte[] signed = DkimSigner.of("sender.test", senderKey).sign(message("alice@sender.test"));
        String text = new String(signed, StandardCharsets.US_ASCII);
        int body = text.indexOf("\r\n\r\n");
        byte[] forged = (text.substring(0, body) + "\r\nFrom: mallory@sender.test" + text.substring(body))
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(verifier.check(forged).accepted()).isFalse();
    }

    @Test
    void validSignatureOfAnotherDomainIsRefused() {
        // other.test signs correctly, but the author claims to be at sender.test.
        byte[] signed = DkimSigner.of("other.test", otherKey).sign(message("alice@sender.test"));
        assertThat(verifier.check(signed)).isEqualTo(Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE));
        // The same signature is fine for an author at other.test.
        assertThat(verifier.check(DkimSigner.of("other.test", otherKey).sign(message("carol@other.test"))))
                .isEqualTo(Verdict.accept());
    }

    @Test
    void signatureWithAKeyNobodyPublishedIsRefused() throws Exception {
        DkimKey unpublished = DkimKeyFiles.loadOrGenerate(dir.resolve("rogue-data"), "rogue");
        byte[] signed = DkimSigner.of("sender.test", unpublished).sign(message("alice@sender.test"));
        assertThat(verifier.check(signed)).isEqualTo(Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE));
    }

    @Test
    void dnsServerDownIsTemporary(@TempDir Path own) throws Exception {
        byte[] signed;
        DkimVerifier isolated;
        try (NsdServer down = NsdServer.in(own).zone("sender.test", zoneEntry(senderKey)).start()) {
            isolated = new DkimVerifier(DkimKeyCache.standard(down.resolver(Duration.ofMillis(300)), new MutableClock()));
            signed = DkimSigner.of("sender.test", senderKey).sign(message("alice@sender.test"));
            down.stop();
            assertThat(isolated.check(signed)).isEqualTo(Verdict.reject(Replies.DNS_TEMPORARY_FAILURE));
            // Back up: the failure was not remembered.
            down.start();
            assertThat(isolated.check(signed)).isEqualTo(Verdict.accept());
        }
    }

    @Test
    void ipLiteralAuthorIsNotChecked() {
        assertThat(verifier.check(message("alice@[192.0.2.7]"))).isEqualTo(Verdict.accept());
    }

    @Test
    void keyIsGeneratedOnceAndKeptPrivate(@TempDir Path data) throws Exception {
        DkimKey first = DkimKeyFiles.loadOrGenerate(data, "opendkim");
        DkimKey again = DkimKeyFiles.loadOrGenerate(data, "opendkim");
        assertThat(again.publicKey()).isEqualTo(first.publicKey());
        assertThat(first.publicKey().getModulus().bitLength()).isEqualTo(2048);
        Path file = data.resolve("dkim/opendkim.private");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(data.resolve("dkim/opendkim.txt")).trim()).isEqualTo(first.txtValue());
        assertThat(first.txtStrings()).allMatch(s -> s.length() <= 255);
        assertThat(String.join("", first.txtStrings())).isEqualTo(first.txtValue());
    }

    @Test
    void ipOnlyRelayDoesNotSign(@TempDir Path data) {
        Config.Builder b = Config.builder("192.0.2.7");
        b.dataDir = data;
        DkimSigner signer = DkimSigner.forRelay(b.build());
        byte[] m = message("alice@[192.0.2.7]");
        assertThat(signer.signs()).isFalse();
        assertThat(signer.sign(m)).isEqualTo(m);
        assertThat(data.resolve("dkim")).doesNotExist();
    }
}
