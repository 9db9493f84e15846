package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Header grammar corner cases, on hand-built packet streams. */
class OpenPgpPacketScannerTest {

    static Stream<Arguments> streams() {
        return Stream.of(
                c("new format, one-octet lengths", true, pkesk(newHdr(1, 10)), seipd(newHdr(18, 5), 1)),
                c("two-octet lengths", true, pkesk(newHdr2(1, 300)), seipd(newHdr2(18, 1000), 2)),
                c("five-octet lengths", true, skesk(newHdr5(3, 20)), seipd(newHdr5(18, 70_000), 1)),
                c("old format, one-octet length", true, pkesk(oldHdr(1, 0, 10)), seipd(newHdr(18, 5), 1)),
                c("old format, two-octet length", true, skesk(oldHdr(3, 1, 300)), seipd(newHdr(18, 5), 1)),
                c("old format, four-octet length", true, pkesk(oldHdr(1, 2, 12)), seipd(newHdr(18, 5), 1)),
                c("old format, indeterminate length", false, pkesk(oldHdr(1, 3, 0)), seipd(newHdr(18, 5), 1)),
                c("partial chunks ending in a zero-length final part", true, pkesk(newHdr(1, 10)),
                        bytes(0xC0 | 18, 0xE0 | 9), body(512, 1), bytes(0xE0), body(1, 0), bytes(0)),
                c("partial length on a PKESK", false, bytes(0xC0 | 1, 0xE0 | 9), body(512, 3), bytes(5), body(5, 0),
                        seipd(newHdr(18, 5), 1)),
                c("SEIPD version 3", false, seipd(newHdr(18, 5), 3)),
                c("empty SEIPD", false, bytes(0xC0 | 18, 0)),
                c("SEIPD first, then a PKESK", false, seipd(newHdr(18, 5), 1), pkesk(newHdr(1, 10))),
                c("two SEIPDs", false, seipd(newHdr(18, 5), 1), seipd(newHdr(18, 5), 1)),
                c("marker packet first", false, bytes(0xC0 | 10, 3, 'P', 'G', 'P'), seipd(newHdr(18, 5), 1)),
                c("compressed data instead of SEIPD", false, pkesk(newHdr(1, 10)), bytes(0xC0 | 8, 2, 1, 0)),
                c("legacy SED (tag 9) instead of SEIPD", false, pkesk(newHdr(1, 10)), bytes(0xC0 | 9, 2, 1, 0)),
                c("first octet without the packet bit", false, bytes(0x41, 0)),
                c("empty stream", false),
                c("truncated two-octet length", false, pkesk(newHdr(1, 10)), bytes(0xC0 | 18, 0xC5)),
                c("truncated five-octet length", false, bytes(0xC0 | 18, 0xFF, 0, 0)),
                c("SEIPD body shorter than its length", false, pkesk(newHdr(1, 10)), bytes(0xC0 | 18, 9, 1, 0, 0)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("streams")
    void verdict(byte[] stream, boolean encrypted) throws Exception {
        assertThat(OpenPgpPacketScanner.isEncryptedMessage(new ByteArrayInputStream(stream))).isEqualTo(encrypted);
    }

    private static Arguments c(String name, boolean expected, byte[]... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : pieces) {
            out.writeBytes(p);
        }
        return Arguments.of(Named.of(name, out.toByteArray()), expected);
    }

    /** A header followed by that many body octets; for a SEIPD the first body octet is its version. */
    private static byte[] pkesk(Header h) {
        return concat(h.bytes, body(h.length, 3));
    }

    private static byte[] skesk(Header h) {
        return concat(h.bytes, body(h.length, 4));
    }

    private static byte[] seipd(Header h, int version) {
        return concat(h.bytes, body(h.length, version));
    }

    private record Header(byte[] bytes, int length) {}

    private static Header newHdr(int tag, int len) {
        return new Header(bytes(0xC0 | tag, len), len);
    }

    private static Header newHdr2(int tag, int len) {
        int v = len - 192;
        return new Header(bytes(0xC0 | tag, (v >> 8) + 192, v & 0xFF), len);
    }

    private static Header newHdr5(int tag, int len) {
        return new Header(bytes(0xC0 | tag, 0xFF, len >>> 24, (len >>> 16) & 0xFF, (len >>> 8) & 0xFF, len & 0xFF), len);
    }

    private static Header oldHdr(int tag, int lengthType, int len) {
        int first = 0x80 | (tag << 2) | lengthType;
        return switch (lengthType) {
            case 0 -> new Header(bytes(first, len), len);
            case 1 -> new Header(bytes(first, len >> 8, len & 0xFF), len);
            case 2 -> new Header(bytes(first, len >>> 24, (len >>> 16) & 0xFF, (len >>> 8) & 0xFF, len & 0xFF), len);
            default -> new Header(bytes(first), len);
        };
    }

    private static byte[] body(int length, int firstOctet) {
        byte[] b = new byte[length];
        if (length > 0) {
            b[0] = (byte) firstOctet;
        }
        return b;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
