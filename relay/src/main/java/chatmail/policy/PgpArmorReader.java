package chatmail.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses exactly one ASCII-armored {@code PGP MESSAGE} block (RFC 9580 section 6) and streams the
 * decoded packet bytes, so a 30 MB attachment is never held in memory.
 *
 * <p>Accepted: blank lines before BEGIN and after END, armor header lines (reported through
 * {@link #headerNames()} so the caller decides), any data line length up to {@link #MAX_LINE},
 * an optional CRC line {@code =XXXX} directly before END. The CRC value is not compared: RFC 9580
 * forbids rejecting a message for a missing or wrong CRC, and a corrupted payload fails to decrypt
 * at the recipient anyway. Anything else (text around the block, a second block, bad base64,
 * data after padding, missing END) raises {@link MalformedPayloadException}, at open or while
 * reading, which callers treat as "not encrypted".
 */
final class PgpArmorReader extends InputStream {

    /** RFC 9580 limits armor lines to 76 characters; this is generous and still bounds memory. */
    static final int MAX_LINE = 4096;

    private static final byte[] BEGIN = "-----BEGIN PGP MESSAGE-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "-----END PGP MESSAGE-----".getBytes(StandardCharsets.US_ASCII);
    private static final int PAD = -2;
    private static final int[] ALPHABET = new int[128];

    static {
        java.util.Arrays.fill(ALPHABET, -1);
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < chars.length(); i++) {
            ALPHABET[chars.charAt(i)] = i;
        }
        ALPHABET['='] = PAD;
    }

    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int bufPos;
    private int bufLen;
    private final byte[] line = new byte[MAX_LINE];
    private int lineLen;
    private boolean linePending;
    private final List<String> headerNames = new ArrayList<>();

    private final byte[] out = new byte[MAX_LINE];
    private int outPos;
    private int outLen;
    private final int[] quad = new int[4];
    private int quadLen;
    private boolean padded;
    private boolean finished;

    private PgpArmorReader(InputStream in) {
        this.in = in;
    }

    /**
     * One byte from our own buffer. BufferedInputStream's read() is synchronized and was the
     * classifier's hot spot at one call per byte of a 200 KiB message (docs/benchmarks.md).
     */
    private int nextByte() throws IOException {
        if (bufPos == bufLen) {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                bufPos = bufLen = 0;
                return -1;
            }
            bufPos = 0;
            bufLen = n;
        }
        return buf[bufPos++] & 0xff;
    }

    /** Reads up to the end of the armor headers; the returned stream yields the decoded packets. */
    static PgpArmorReader open(InputStream in) throws IOException {
        PgpArmorReader reader = new PgpArmorReader(in);
        reader.readPrologue();
        return reader;
    }

    /** Names of the armor header lines ({@code Version}, {@code Comment}, ...), in order. */
    List<String> headerNames() {
        return List.copyOf(headerNames);
    }

    private void readPrologue() throws IOException {
        do {
            if (!readLine()) {
                throw new MalformedPayloadException("no armor BEGIN line");
            }
        } while (lineLen == 0);
        if (!lineEquals(BEGIN)) {
            throw new MalformedPayloadException("part does not start with the PGP MESSAGE armor");
        }
        while (readLine()) {
            String name = headerName();
            if (name == null) {
                linePending = true;
                return;
            }
            headerNames.add(name);
        }
        throw new MalformedPayloadException("armor ends after its headers");
    }

    /** The header name if the current line is {@code Name: value}, else null (a data or blank line). */
    private String headerName() {
        int i = 0;
        while (i < lineLen && isHeaderNameChar(line[i])) {
            i++;
        }
        if (i == 0 || i + 1 >= lineLen || line[i] != ':' || line[i + 1] != ' ') {
            return null;
        }
        return new String(line, 0, i, StandardCharsets.US_ASCII);
    }

    private static boolean isHeaderNameChar(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-';
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return out[outPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, outLen - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    private boolean fill() throws IOException {
        while (outPos == outLen) {
            if (finished) {
                return false;
            }
            if (linePending) {
                linePending = false;
            } else if (!readLine()) {
                throw new MalformedPayloadException("armor has no END line");
            }
            if (lineLen == 0) {
                continue;
            }
            if (line[0] == '-') {
                finishAtEndLine();
            } else if (line[0] == '=') {
                checkChecksumLine();
                if (!readLine()) {
                    throw new MalformedPayloadException("armor has no END line");
                }
                finishAtEndLine();
            } else {
                decodeLine();
            }
        }
        return true;
    }

    private void decodeLine() throws IOException {
        outPos = 0;
        outLen = 0;
        for (int i = 0; i < lineLen; i++) {
            int c = line[i];
            int v = c >= 0 && c < 128 ? ALPHABET[c] : -1;
            if (v == -1) {
                throw new MalformedPayloadException("invalid base64 in armor");
            }
            if (padded) {
                throw new MalformedPayloadException("base64 data after padding");
            }
            quad[quadLen++] = v;
            if (quadLen == 4) {
                emitQuad();
                quadLen = 0;
            }
        }
    }

    private void emitQuad() throws IOException {
        int a = quad[0], b = quad[1], c = quad[2], d = quad[3];
        if (a == PAD || b == PAD || (c == PAD && d != PAD)) {
            throw new MalformedPayloadException("misplaced base64 padding");
        }
        out[outLen++] = (byte) ((a << 2) | (b >> 4));
        if (c == PAD) {
            padded = true;
            return;
        }
        out[outLen++] = (byte) ((b << 4) | (c >> 2));
        if (d == PAD) {
            padded = true;
            return;
        }
        out[outLen++] = (byte) ((c << 6) | d);
    }

    private void checkChecksumLine() throws IOException {
        if (lineLen != 5) {
            throw new MalformedPayloadException("malformed armor checksum line");
        }
        for (int i = 1; i < 5; i++) {
            int c = line[i];
            if (c < 0 || c >= 128 || ALPHABET[c] < 0) {
                throw new MalformedPayloadException("malformed armor checksum line");
            }
        }
    }

    private void finishAtEndLine() throws IOException {
        if (!lineEquals(END)) {
            throw new MalformedPayloadException("malformed armor END line");
        }
        if (quadLen != 0) {
            throw new MalformedPayloadException("base64 data is not a whole number of groups");
        }
        while (readLine()) {
            if (lineLen != 0) {
                throw new MalformedPayloadException("content after the armor block");
            }
        }
        finished = true;
    }

    private boolean lineEquals(byte[] expected) {
        return lineLen == expected.length && java.util.Arrays.equals(line, 0, lineLen, expected, 0, lineLen);
    }

    /** Reads one line without its terminator and trailing white space; false at end of input. */
    private boolean readLine() throws IOException {
        lineLen = 0;
        int c = nextByte();
        if (c == -1) {
            return false;
        }
        while (c != -1 && c != '\n') {
            if (lineLen == MAX_LINE) {
                throw new MalformedPayloadException("armor line too long");
            }
            line[lineLen++] = (byte) c;
            c = nextByte();
        }
        while (lineLen > 0 && (line[lineLen - 1] == '\r' || line[lineLen - 1] == ' ' || line[lineLen - 1] == '\t')) {
            lineLen--;
        }
        return true;
    }
}
