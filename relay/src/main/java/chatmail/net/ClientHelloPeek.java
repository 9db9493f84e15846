package chatmail.net;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the start of a TLS connection until the ClientHello is complete, at most
 * {@code maxBytes}, and keeps every byte read so the TLS stack that takes the connection over
 * can be given them again.
 */
public final class ClientHelloPeek {

    /**
     * What was read and what it said.
     *
     * @param bytes everything read from the connection, to be replayed to the TLS stack
     * @param alpn the offered ALPN names; empty when there were none or no ClientHello could be read
     * @param complete true when a whole, well-formed ClientHello was read
     */
    public record Peeked(byte[] bytes, List<String> alpn, boolean complete) {}

    private final int maxBytes;
    private final ClientHelloParser parser;

    /** @param maxBytes the most bytes read before giving up on finding the ALPN extension, at least 1 */
    public ClientHelloPeek(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1");
        }
        this.maxBytes = maxBytes;
        this.parser = new ClientHelloParser(maxBytes);
    }

    /**
     * Reads until the ClientHello is complete, the stream ends, the limit is reached or the bytes
     * turn out not to be a ClientHello. A read timeout set on the socket ends it with the
     * socket's exception.
     */
    public Peeked read(InputStream in) throws IOException {
        // The buffer only once the client has said something: a flood of silent connections
        // (SEC-3) then holds no buffer while it waits.
        int first = in.read();
        if (first < 0) {
            return new Peeked(new byte[0], List.of(), false);
        }
        byte[] buffer = new byte[Math.min(maxBytes, 2048)];
        buffer[0] = (byte) first;
        int length = 1;
        while (true) {
            switch (parser.parse(buffer, length)) {
                case ClientHelloParser.Hello hello -> {
                    return new Peeked(Arrays.copyOf(buffer, length), hello.alpn(), true);
                }
                case ClientHelloParser.NotHello ignored -> {
                    return new Peeked(Arrays.copyOf(buffer, length), List.of(), false);
                }
                case ClientHelloParser.NeedMore ignored -> {
                    // keep reading
                }
            }
            if (length == buffer.length) {
                if (length >= maxBytes) {
                    return new Peeked(Arrays.copyOf(buffer, length), List.of(), false);
                }
                buffer = Arrays.copyOf(buffer, Math.min(maxBytes, buffer.length * 2));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                return new Peeked(Arrays.copyOf(buffer, length), List.of(), false);
            }
            length += n;
        }
    }
}
