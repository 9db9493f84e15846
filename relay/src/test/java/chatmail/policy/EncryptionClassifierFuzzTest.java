package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Fuzzes the ENC-1/ENC-2/SMTP-9 classifier with arbitrary messages. Properties: it throws
 * nothing for any input (a malformed message is CLEARTEXT); the verdict does not depend on how
 * the bytes arrive (one call vs. a stream that returns at most 7 bytes per read), so the
 * streaming parsers keep no state across buffer edges that changes the answer. Seeds are the
 * ENC-3 fixtures, in {@code src/test/resources/chatmail/policy/EncryptionClassifierFuzzTestInputs/classify}.
 */
class EncryptionClassifierFuzzTest {

    private final EncryptionClassifier classifier = new EncryptionClassifier();

    @FuzzTest(maxDuration = "30s")
    // No CR or LF in entries (Jazzer 0.30 dictionary bug, see docs/decisions.md); the seeds are
    // whole messages.
    @DictionaryEntries({"Content-Type: multipart/encrypted", "protocol=\"application/pgp-encrypted\"",
            "boundary=", "application/pgp-encrypted", "Version: 1", "application/octet-stream",
            "-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----", "Version: ", "Secure-Join: vc-request",
            "secure-join: vg-request", "Auto-Submitted: auto-replied", "MAILER-DAEMON@", "multipart/report",
            "Content-Transfer-Encoding: base64", "quoted-printable"})
    void classify(byte[] message) throws IOException {
        MessageKind whole = classifier.classify(message);
        assertThat(whole).isNotNull();
        assertThat(classifier.classify(new TrickleInputStream(new ByteArrayInputStream(message)))).isEqualTo(whole);
    }

    /** Returns at most 7 bytes per read, to cross every buffer edge. */
    private static final class TrickleInputStream extends FilterInputStream {
        TrickleInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 7));
        }
    }
}
