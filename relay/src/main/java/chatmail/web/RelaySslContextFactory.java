package chatmail.web;

import chatmail.tls.TlsContexts;
import chatmail.tls.TlsPolicy;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty's TLS set-up taken from the relay's own: the same (reloading) certificate and the HTTPS
 * policy of the TLS table, TLS 1.2 and 1.3. No ALPN is selected: HTTP/1.1 needs none, and a
 * server that selected one would have to refuse clients whose list lacks it.
 */
final class RelaySslContextFactory extends SslContextFactory.Server {

    private final TlsContexts tls;

    RelaySslContextFactory(TlsContexts tls) {
        this.tls = tls;
        setSslContext(tls.serverContext());
        setSniRequired(false);
        setEndpointIdentificationAlgorithm(null);
    }

    @Override
    public void customize(SSLEngine engine) {
        super.customize(engine);
        engine.setSSLParameters(tls.serverParameters(TlsPolicy.HTTPS, List.of()));
    }
}
