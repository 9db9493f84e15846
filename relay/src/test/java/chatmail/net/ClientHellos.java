package chatmail.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Real ClientHellos, as the JDK's TLS client writes them, and ways to cut them up. */
final class ClientHellos {

    private ClientHellos() {}

    /** The first flight of a JSSE client offering {@code alpn} (none when empty). */
    static byte[] jsse(List<String> alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("chatmail.example", 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setApplicationProtocols(alpn.toArray(String[]::new));
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /** The handshake message inside a single-record ClientHello. */
    static byte[] message(byte[] singleRecord) {
        int length = ((singleRecord[3] & 0xff) << 8) | (singleRecord[4] & 0xff);
        return Arrays.copyOfRange(singleRecord, 5, 5 + length);
    }

    /** The same handshake message spread over records of at most {@code chunk} bytes each. */
    static byte[] records(byte[] message, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < message.length; i += chunk) {
            int n = Math.min(chunk, message.length - i);
            out.write(22);
            out.write(3);
            out.write(1);
            out.write(n >> 8);
            out.write(n & 0xff);
            out.write(message, i, n);
        }
        return out.toByteArray();
    }
}
