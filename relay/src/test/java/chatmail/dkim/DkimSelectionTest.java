package chatmail.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.dns.DkimKeyCache;
import chatmail.dns.NsdServer;
import chatmail.policy.Replies;
import chatmail.policy.Verdict;
import chatmail.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-4 for DKIM: each checked signature costs a DNS lookup and a body hash, so only signatures
 * whose d= is the From domain are checked, the topmost three at most.
 */
class DkimSelectionTest {

    @TempDir
    static Path dir;

    static NsdServer nsd;
    static DkimKey senderKey;
    static DkimKey otherKey;
    static DkimKey unpublished;
    DkimKeyCache cache;
    DkimVerifier verifier;

    @BeforeAll
    static void publishKeys() throws Exception {
        senderKey = DkimKeyFiles.loadOrGenerate(dir.resolve("sender-data"), "opendkim");
        otherKey = DkimKeyFiles.loadOrGenerate(dir.resolve("other-data"), "sel2");
        unpublished = DkimKeyFiles.loadOrGenerate(dir.resolve("rogue-data"), "rogue");
        nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")))
                .zone("sender.test", DkimTest.zoneEntry(senderKey))
                .zone("other.test", DkimTest.zoneEntry(otherKey))
                .start();
    }

    @AfterAll
    static void stopDns() throws Exception {
        if (nsd != null) {
            nsd.close();
        }
    }

    @BeforeEach
    void freshCache() {
        cache = DkimKeyCache.standard(nsd.resolver(Duration.ofSeconds(2)), new MutableClock());
        verifier = new DkimVerifier(cache);
    }

    /** A signer at sender.test whose key nobody published, under its own selector. */
    static DkimSigner rogue(int n) {
        return DkimSigner.of("sender.test", new DkimKey("rogue" + n, unpublished.privateKey(), unpublished.publicKey()));
    }

    @Test
    void signaturesOfOtherDomainsCostNoLookup() {
        byte[] message = DkimTest.message("alice@sender.test");
        byte[] signed = DkimSigner.of("other.test", otherKey).sign(DkimSigner.of("sender.test", senderKey).sign(message));

        assertThat(verifier.check(signed)).isEqualTo(Verdict.accept());
        assertThat(cache.contains("opendkim._domainkey.sender.test")).as("the aligned key was fetched").isTrue();
        assertThat(cache.contains("sel2._domainkey.other.test")).as("the unaligned one was not").isFalse();
    }

    @Test
    void onlyUnalignedSignaturesAreRefusedWithoutALookup() {
        byte[] signed = DkimSigner.of("other.test", otherKey).sign(DkimTest.message("alice@sender.test"));
        assertThat(verifier.check(signed)).isEqualTo(Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE));
        assertThat(cache.size()).isZero();
    }

    @Test
    void atMostTheTopmostThreeAlignedSignaturesAreChecked() {
        byte[] valid = DkimSigner.of("sender.test", senderKey).sign(DkimTest.message("alice@sender.test"));

        byte[] validFourth = rogue(1).sign(rogue(2).sign(rogue(3).sign(valid)));
        assertThat(verifier.check(validFourth)).as("the valid one is fourth: not checked")
                .isEqualTo(Verdict.reject(Replies.NO_VALID_DKIM_SIGNATURE));
        assertThat(cache.contains("opendkim._domainkey.sender.test")).as("its key was never fetched").isFalse();

        byte[] validThird = rogue(1).sign(rogue(2).sign(valid));
        assertThat(verifier.check(validThird)).as("the valid one is among the three").isEqualTo(Verdict.accept());
    }
}
