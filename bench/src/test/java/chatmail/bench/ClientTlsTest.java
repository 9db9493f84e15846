package chatmail.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The key shares the load generator's ClientHello carries (each one is a key pair it computes). */
class ClientTlsTest {

    private static final int X25519 = 0x001d;
    private static final int SECP256R1 = 0x0017;

    @Test
    void theIdleClientsOfferOneX25519KeyShare() throws Exception {
        assertEquals(List.of(X25519), keyShareGroups(new ClientTls(Duration.ofSeconds(10), ClientTls.X25519_ONLY)));
    }

    @Test
    void jsseDefaultsComputeAP256KeyShareBesideX25519() throws Exception {
        // What the IDLE clients no longer do: a second key pair per handshake that the relay never uses.
        assertEquals(List.of(X25519, SECP256R1), keyShareGroups(new ClientTls(Duration.ofSeconds(10))));
    }

    /** The groups of the key_share extension of the ClientHello {@code tls} sends, in order. */
    private static List<Integer> keyShareGroups(ClientTls tls) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                try (Socket s = tls.connect(null, server.getInetAddress().getHostAddress(), server.getLocalPort())) {
                    s.close();
                } catch (IOException expected) {
                    // The server below never answers the ClientHello.
                }
            });
            try (Socket accepted = server.accept()) {
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                byte[] header = new byte[5];
                in.readFully(header);
                assertEquals(22, header[0], "a handshake record");
                byte[] body = new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)];
                in.readFully(body);
                List<Integer> groups = keyShares(ByteBuffer.wrap(body));
                accepted.close();
                client.join();
                return groups;
            }
        }
    }

    private static List<Integer> keyShares(ByteBuffer hello) {
        assertEquals(1, hello.get(), "a ClientHello");
        skip(hello, 3 + 2 + 32);
        skip(hello, hello.get() & 0xff);
        skip(hello, hello.getShort() & 0xffff);
        skip(hello, hello.get() & 0xff);
        int extensionsLength = hello.getShort() & 0xffff;
        int end = hello.position() + extensionsLength;
        while (hello.position() < end) {
            int type = hello.getShort() & 0xffff;
            int length = hello.getShort() & 0xffff;
            if (type == 0x0033) {
                List<Integer> groups = new ArrayList<>();
                int sharesLength = hello.getShort() & 0xffff;
                int sharesEnd = hello.position() + sharesLength;
                while (hello.position() < sharesEnd) {
                    groups.add(hello.getShort() & 0xffff);
                    skip(hello, hello.getShort() & 0xffff);
                }
                return groups;
            }
            skip(hello, length);
        }
        return List.of();
    }

    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }
}
