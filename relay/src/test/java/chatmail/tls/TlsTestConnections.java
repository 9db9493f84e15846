package chatmail.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/** Client connections and a handshaking accept loop for tests, on loopback only. */
final class TlsTestConnections {
    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private TlsTestConnections() {
    }

    /** A client that trusts anything; a fresh context per call so no session is resumed. */
    static SSLSocket connectTrustingAll(int port, List<String> protocols, List<String> alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {UnverifiedTrustManager.INSTANCE}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(protocols.toArray(String[]::new));
        parameters.setApplicationProtocols(alpn.toArray(String[]::new));
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    static X509Certificate serverCertificateSeenBy(int port) throws Exception {
        SSLSocket socket = connectTrustingAll(port, List.of("TLSv1.3"), List.of());
        try {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } finally {
            TlsSockets.close(socket);
        }
    }

    /** Accepts connections until the server socket closes, handshakes each and closes it. */
    static void handshakeEveryConnection(SSLServerSocket server) {
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket accepted = server.accept();
                    Thread.ofVirtual().start(() -> {
                        SSLSocket socket = (SSLSocket) accepted;
                        try {
                            socket.setSoTimeout(10_000);
                            socket.startHandshake();
                            // Wait for the client to close so it can read the session first.
                            socket.getInputStream().read();
                        } catch (IOException e) {
                            // The client refused or went away; the test asserts on its side.
                        } finally {
                            TlsSockets.close(socket);
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Accepts one connection, handshakes and completes with the server-side socket (still open). */
    static CompletableFuture<SSLSocket> acceptOneHandshake(SSLServerSocket server) {
        CompletableFuture<SSLSocket> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                SSLSocket socket = (SSLSocket) server.accept();
                socket.setSoTimeout(10_000);
                try {
                    socket.startHandshake();
                    result.complete(socket);
                } catch (IOException e) {
                    socket.close();
                    result.completeExceptionally(e);
                }
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
