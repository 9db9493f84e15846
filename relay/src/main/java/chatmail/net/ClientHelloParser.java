package chatmail.net;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the ALPN protocol names out of the first bytes a TLS client sends, without taking part
 * in the handshake (the port-443 router, WEB-3). Pure: bytes in, a {@link Result} out; it never
 * throws on any input, so it can be fuzzed.
 *
 * <p>The ClientHello may be split over several TLS records, and the records over several reads:
 * the caller passes everything received so far and gets {@link NeedMore} until the message is
 * complete. Only handshake records (type 22) may come before the end of the ClientHello.
 */
public final class ClientHelloParser {

    private static final int RECORD_HEADER = 5;
    private static final int CONTENT_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int MAX_RECORD_PAYLOAD = 1 << 14;
    private static final int EXTENSION_ALPN = 16;

    /** What the bytes so far say. */
    public sealed interface Result permits NeedMore, Hello, NotHello {}

    /** The ClientHello is not complete yet; read more and call again. */
    public record NeedMore() implements Result {}

    /**
     * A complete ClientHello.
     *
     * @param alpn the protocol names the client offers, in its order of preference; empty when
     *     it sent no ALPN extension
     */
    public record Hello(List<String> alpn) implements Result {
        public Hello {
            alpn = List.copyOf(alpn);
        }
    }

    /** Not a TLS ClientHello, malformed, or larger than the limit. */
    public record NotHello(String reason) implements Result {}

    private final int maxHelloLength;

    /** @param maxHelloLength the largest ClientHello message (without record headers) accepted */
    public ClientHelloParser(int maxHelloLength) {
        this.maxHelloLength = maxHelloLength;
    }

    public Result parse(byte[] data, int length) {
        if (length < 0 || length > data.length) {
            throw new IllegalArgumentException("length " + length + " outside the array");
        }
        byte[] message = new byte[512];
        int have = 0;
        int need = -1;
        int pos = 0;
        while (true) {
            if (length - pos < RECORD_HEADER) {
                return new NeedMore();
            }
            int type = u8(data, pos);
            int major = u8(data, pos + 1);
            int recordLength = u16(data, pos + 3);
            if (type != CONTENT_HANDSHAKE) {
                return new NotHello("record type " + type + " before the ClientHello was complete");
            }
            if (major != 3) {
                return new NotHello("record version " + major + "." + u8(data, pos + 2));
            }
            if (recordLength == 0 || recordLength > MAX_RECORD_PAYLOAD) {
                return new NotHello("record length " + recordLength);
            }
            pos += RECORD_HEADER;
            int available = Math.min(recordLength, length - pos);
            int take = need < 0 ? available : Math.min(available, need - have);
            // Grows with what arrived, not with what the header claims: a lying length costs nothing.
            if (have + take > message.length) {
                message = Arrays.copyOf(message, Math.max(have + take, message.length * 2));
            }
            System.arraycopy(data, pos, message, have, take);
            have += take;
            if (need < 0 && have >= 4) {
                if (u8(message, 0) != HANDSHAKE_CLIENT_HELLO) {
                    return new NotHello("handshake type " + u8(message, 0));
                }
                int bodyLength = u24(message, 1);
                if (bodyLength > maxHelloLength) {
                    return new NotHello("ClientHello of " + bodyLength + " bytes is over the limit");
                }
                need = 4 + bodyLength;
            }
            if (need >= 0 && have >= need) {
                // Whatever follows the ClientHello is the TLS stack's business, not the router's.
                return parseHello(message, 4, need);
            }
            if (available < recordLength) {
                return new NeedMore();
            }
            pos += recordLength;
        }
    }

    /** Parses the ClientHello body in {@code m[from, to)}. */
    private static Result parseHello(byte[] m, int from, int to) {
        Cursor c = new Cursor(m, from, to);
        if (!c.skip(2 + 32)) {
            return new NotHello("ClientHello too short");
        }
        int sessionIdLength = c.u8();
        if (sessionIdLength < 0 || sessionIdLength > 32 || !c.skip(sessionIdLength)) {
            return new NotHello("bad session id");
        }
        int suitesLength = c.u16();
        if (suitesLength < 2 || suitesLength % 2 != 0 || !c.skip(suitesLength)) {
            return new NotHello("bad cipher suites");
        }
        int compressionLength = c.u8();
        if (compressionLength < 1 || !c.skip(compressionLength)) {
            return new NotHello("bad compression methods");
        }
        if (c.remaining() == 0) {
            return new Hello(List.of());
        }
        int extensionsLength = c.u16();
        if (extensionsLength != c.remaining()) {
            return new NotHello("extensions length does not match the message");
        }
        List<String> alpn = List.of();
        Set<Integer> seen = new HashSet<>();
        while (c.remaining() > 0) {
            int type = c.u16();
            int length = c.u16();
            if (type < 0 || length < 0 || length > c.remaining()) {
                return new NotHello("truncated extension");
            }
            if (!seen.add(type)) {
                return new NotHello("extension " + type + " twice");
            }
            if (type == EXTENSION_ALPN) {
                List<String> names = parseAlpn(new Cursor(m, c.pos, c.pos + length));
                if (names == null) {
                    return new NotHello("bad ALPN extension");
                }
                alpn = names;
            }
            c.skip(length);
        }
        return new Hello(alpn);
    }

    private static List<String> parseAlpn(Cursor c) {
        int listLength = c.u16();
        if (listLength < 2 || listLength != c.remaining()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        while (c.remaining() > 0) {
            int n = c.u8();
            if (n < 1 || n > c.remaining()) {
                return null;
            }
            // ALPN names are opaque bytes; ISO-8859-1 maps them one to one, as JSSE does.
            names.add(new String(c.data, c.pos, n, StandardCharsets.ISO_8859_1));
            c.skip(n);
        }
        return names;
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    private static int u16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static int u24(byte[] b, int i) {
        return (u8(b, i) << 16) | (u8(b, i + 1) << 8) | u8(b, i + 2);
    }

    /** Bounds-checked reading inside one message; reads past the end return -1. */
    private static final class Cursor {
        final byte[] data;
        final int end;
        int pos;

        Cursor(byte[] data, int pos, int end) {
            this.data = data;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        boolean skip(int n) {
            if (n > remaining()) {
                pos = end;
                return false;
            }
            pos += n;
            return true;
        }

        int u8() {
            if (remaining() < 1) {
                return -1;
            }
            return data[pos++] & 0xff;
        }

        int u16() {
            if (remaining() < 2) {
                pos = end;
                return -1;
            }
            int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
            pos += 2;
            return v;
        }
    }
}
