package chatmail.policy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Walks OpenPGP packet headers (RFC 9580 section 4.2) without decrypting anything and decides whether
 * the stream is "zero or more PKESK (tag 1) / SKESK (tag 3) packets, then exactly one SEIPD (tag 18,
 * version 1 or 2) that ends exactly at the end of the data".
 *
 * <p>Own code rather than Bouncy Castle's {@code BCPGInputStream}: that reader parses packet bodies
 * (so an unknown PKESK algorithm or version throws, unrelated to the question asked here), and it
 * cannot tell a cleanly ended partial-length body from one cut short, nor expose "no bytes follow
 * the SEIPD". This walker only needs the header grammar.
 *
 * <p>Header forms: OpenPGP (new) format with one-, two- and five-octet lengths and partial body
 * lengths (partial lengths only on the SEIPD, as RFC 9580 permits them only for data packets);
 * legacy (old) format with one-, two- and four-octet lengths. Legacy indeterminate length is not
 * accepted (it cannot frame the SEIPD, whose tag 18 does not fit the legacy 4-bit tag field).
 */
final class OpenPgpPacketScanner {

    static final int TAG_PKESK = 1;
    static final int TAG_SKESK = 3;
    static final int TAG_SEIPD = 18;

    private OpenPgpPacketScanner() {}

    /**
     * True if the stream is an encrypted OpenPGP message of the ENC-1 shape. Truncation and malformed
     * headers answer false; {@link MalformedPayloadException} from the source (bad armor) propagates.
     */
    static boolean isEncryptedMessage(InputStream in) throws IOException {
        try {
            return scan(in);
        } catch (EOFException truncated) {
            return false;
        }
    }

    private static boolean scan(InputStream in) throws IOException {
        while (true) {
            int first = in.read();
            if (first == -1) {
                return false; // ended without a SEIPD
            }
            if ((first & 0x80) == 0) {
                return false; // not a packet header
            }
            if ((first & 0x40) != 0) {
                int tag = first & 0x3F;
                if (tag == TAG_SEIPD) {
                    return scanSeipdBody(in) && in.read() == -1;
                }
                if (tag != TAG_PKESK && tag != TAG_SKESK) {
                    return false;
                }
                long length = readNewFormatLength(in);
                if (length < 0) {
                    return false;
                }
                skipExactly(in, length);
            } else {
                int tag = (first >> 2) & 0x0F;
                if (tag != TAG_PKESK && tag != TAG_SKESK) {
                    return false;
                }
                long length = readLegacyLength(in, first & 0x03);
                if (length < 0) {
                    return false;
                }
                skipExactly(in, length);
            }
        }
    }

    /** Consumes a SEIPD body (possibly in partial chunks); true if its version octet is 1 or 2. */
    private static boolean scanSeipdBody(InputStream in) throws IOException {
        int version = -1;
        while (true) {
            int o1 = readByte(in);
            boolean partial = o1 >= 224 && o1 < 255;
            long chunk = partial ? 1L << (o1 & 0x1F) : completeNewFormatLength(in, o1);
            if (version == -1 && chunk > 0) {
                version = readByte(in);
                chunk--;
            }
            skipExactly(in, chunk);
            if (!partial) {
                return version == 1 || version == 2;
            }
        }
    }

    /** Reads a new-format body length that is not partial; -1 for a partial length. */
    private static long readNewFormatLength(InputStream in) throws IOException {
        int o1 = readByte(in);
        if (o1 >= 224 && o1 < 255) {
            return -1;
        }
        return completeNewFormatLength(in, o1);
    }

    private static long completeNewFormatLength(InputStream in, int o1) throws IOException {
        if (o1 < 192) {
            return o1;
        }
        if (o1 < 224) {
            return ((long) (o1 - 192) << 8) + readByte(in) + 192;
        }
        return readUint32(in); // o1 == 255
    }

    private static long readLegacyLength(InputStream in, int lengthType) throws IOException {
        return switch (lengthType) {
            case 0 -> readByte(in);
            case 1 -> ((long) readByte(in) << 8) | readByte(in);
            case 2 -> readUint32(in);
            default -> -1; // indeterminate
        };
    }

    private static long readUint32(InputStream in) throws IOException {
        return ((long) readByte(in) << 24) | ((long) readByte(in) << 16) | ((long) readByte(in) << 8) | readByte(in);
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b == -1) {
            throw new EOFException("packet stream truncated");
        }
        return b;
    }

    private static void skipExactly(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }
}
