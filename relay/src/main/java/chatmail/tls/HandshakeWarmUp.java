package chatmail.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * One TLS handshake in memory between the relay's server context and one of its client
 * contexts, no socket involved: the first handshake of a JVM loads and interprets most of JSSE
 * (key exchange, certificate messages, signatures, the trust manager) and took about 200 ms,
 * which the first message to or from another relay after a start waited for.
 */
public final class HandshakeWarmUp {

    private static final int MAX_STEPS = 200;

    private HandshakeWarmUp() {
    }

    /**
     * Handshakes the server context with the outbound context that verifies (its trust store
     * is then loaded; it fails for a certificate no CA signed, as a self-signed one) and with
     * the one that does not (which always completes). Throws nothing: a warm-up that fails
     * only leaves the work to the first real handshake.
     */
    public static void run(TlsContexts tls, String host) {
        try {
            handshake(tls.serverContext(), tls.outboundContext(), host);
        } catch (SSLException | RuntimeException expectedForUnsignedCertificates) {
            // the verifying client refused the certificate: its code ran all the same
        }
        try {
            handshake(tls.serverContext(), tls.insecureOutboundContext(), host);
        } catch (SSLException | RuntimeException e) {
            // nothing warmed; the first real handshake pays
        }
    }

    /**
     * Runs a client and a server engine against each other until both finished; the protocol
     * they agreed on.
     *
     * @throws SSLException when either side refused, or the handshake did not finish
     */
    static String handshake(SSLContext serverContext, SSLContext clientContext, String host) throws SSLException {
        SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = clientContext.createSSLEngine(host, 443);
        client.setUseClientMode(true);
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        int application = Math.max(client.getSession().getApplicationBufferSize(),
                server.getSession().getApplicationBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(4 * packet);
        ByteBuffer toClient = ByteBuffer.allocate(4 * packet);
        ByteBuffer clientApplication = ByteBuffer.allocate(2 * application);
        ByteBuffer serverApplication = ByteBuffer.allocate(2 * application);
        client.beginHandshake();
        server.beginHandshake();
        for (int i = 0; i < MAX_STEPS && !(finished(client) && finished(server)); i++) {
            step(client, toServer, toClient, clientApplication);
            step(server, toClient, toServer, serverApplication);
        }
        if (!(finished(client) && finished(server))) {
            throw new SSLException("the handshake did not finish in " + MAX_STEPS + " steps");
        }
        String protocol = client.getSession().getProtocol();
        client.closeOutbound();
        server.closeOutbound();
        return protocol;
    }

    private static boolean finished(SSLEngine engine) {
        HandshakeStatus s = engine.getHandshakeStatus();
        return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
    }

    /** One move of {@code engine}: write into {@code out}, read from {@code in}, or run its tasks. */
    private static void step(SSLEngine engine, ByteBuffer out, ByteBuffer in, ByteBuffer application) throws SSLException {
        switch (engine.getHandshakeStatus()) {
            case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                engine.unwrap(in, application);
                in.compact();
                application.clear();
            }
            case NEED_TASK -> {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            }
            default -> {
                // finished or not handshaking: nothing to do
            }
        }
    }
}
