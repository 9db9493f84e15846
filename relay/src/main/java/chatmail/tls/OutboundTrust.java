package chatmail.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust anchors for outbound TLS (DLV-2, push notifications): the system's CAs plus the ones
 * in {@code trusted_ca_file} (CFG-2). Both go into one PKIX trust store, so the JDK's own
 * trust manager does path building and, when the caller asks for it through
 * {@code SSLParameters.setEndpointIdentificationAlgorithm("HTTPS")}, hostname checks.
 */
final class OutboundTrust {
    private OutboundTrust() {
    }

    /** The certificates of {@code trusted_ca_file}; none when it is not set. */
    static List<X509Certificate> extraCas(Path extraCaFile) {
        if (extraCaFile == null) {
            return List.of();
        }
        try {
            return PemFiles.readCertificates(extraCaFile);
        } catch (IOException e) {
            throw new TlsConfigurationException("trusted_ca_file " + extraCaFile + ": " + e.getMessage(), e);
        }
    }

    static TrustManager[] trustManagers(List<X509Certificate> extraCas) {
        try {
            List<X509Certificate> anchors = new ArrayList<>(List.of(systemTrustManager().getAcceptedIssuers()));
            anchors.addAll(extraCas);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("ca-" + i, anchors.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return factory.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsConfigurationException("cannot build the outbound TLS trust store", e);
        }
    }

    private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }
}
