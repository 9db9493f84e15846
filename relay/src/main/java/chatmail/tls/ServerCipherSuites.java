package chatmail.tls;

import java.util.Arrays;

/**
 * The server's cipher suites: the JDK's defaults, in the JDK's order, restricted to forward
 * secret AEAD suites. TLS 1.3 suites all qualify; for TLS 1.2 that leaves ECDHE with GCM or
 * ChaCha20-Poly1305, which every client of the last decade offers.
 */
final class ServerCipherSuites {
    private ServerCipherSuites() {
    }

    static String[] restrict(String[] jdkDefaults) {
        return Arrays.stream(jdkDefaults).filter(ServerCipherSuites::acceptable).toArray(String[]::new);
    }

    static boolean acceptable(String suite) {
        if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
            return true;
        }
        return suite.startsWith("TLS_ECDHE_")
                && (suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_"));
    }
}
