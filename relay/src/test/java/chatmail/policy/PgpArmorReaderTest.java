package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgpArmorReaderTest {

    private static byte[] decode(String armor) throws IOException {
        return PgpArmorReader.open(new ByteArrayInputStream(armor.getBytes(StandardCharsets.US_ASCII))).readAllBytes();
    }

    @Test
    void decodesAcrossLinesWithPaddingAndCrc() throws IOException {
        // "hello world!!" split mid-group across lines, padded, CRC present (value not compared).
        String armor = "\r\n-----BEGIN PGP MESSAGE-----\r\n\r\naGVsbG8gd2\r\n9ybGQhIQ==\r\n=AAAA\r\n-----END PGP MESSAGE-----\r\n\r\n";
        assertThat(new String(decode(armor), StandardCharsets.US_ASCII)).isEqualTo("hello world!!");
    }

    @Test
    void reportsHeaderNames() throws IOException {
        PgpArmorReader r = PgpArmorReader.open(new ByteArrayInputStream(
                "-----BEGIN PGP MESSAGE-----\nVersion: x\nComment: y\n\nAAAA\n-----END PGP MESSAGE-----\n"
                        .getBytes(StandardCharsets.US_ASCII)));
        assertThat(r.headerNames()).containsExactly("Version", "Comment");
        assertThat(r.readAllBytes()).containsExactly(0, 0, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "hello\n-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAAAA\n",
            "-----BEGIN PGP MESSAGE-----\n\nAA==AAAA\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAA==\nAAAA\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nA===\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAAA\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAA AA\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAAAA\n=AAA\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAAAA\n=AAAA\nAAAA\n-----END PGP MESSAGE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
            "-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\ntrailing text\n",
            "-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n"
    })
    void malformedArmorIsRejected(String armor) {
        assertThatThrownBy(() -> decode(armor)).isInstanceOf(MalformedPayloadException.class);
    }

    @Test
    void overlongLineIsRejectedWithoutBufferingIt() {
        String armor = "-----BEGIN PGP MESSAGE-----\n\n" + "A".repeat(PgpArmorReader.MAX_LINE + 4) + "\n-----END PGP MESSAGE-----\n";
        assertThatThrownBy(() -> decode(armor)).isInstanceOf(MalformedPayloadException.class);
    }
}
