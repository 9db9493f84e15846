package chatmail.web;

import java.util.function.IntSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Port 80: everything moves to HTTPS (301), except ACME HTTP-01 challenges, which a CA must be
 * able to fetch over plain HTTP before the relay has a certificate.
 */
final class PlainHttpHandler extends Handler.Abstract.NonBlocking {

    private final Hosts hosts;
    private final AcmeChallenges acme;
    private final SecurityHeaders security;
    private final IntSupplier httpsPort;

    PlainHttpHandler(Hosts hosts, AcmeChallenges acme, SecurityHeaders security, IntSupplier httpsPort) {
        this.hosts = hosts;
        this.acme = acme;
        this.security = security;
        this.httpsPort = httpsPort;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        security.common(response.getHeaders());
        response.getHeaders().remove("Strict-Transport-Security");
        String path = request.getHttpURI().getPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        if (path.startsWith(AcmeChallenges.PREFIX)) {
            Replies.send(acme.handle(request.getMethod(), path), response, callback);
            return true;
        }
        String query = request.getHttpURI().getQuery();
        String target = Hosts.httpsOrigin(hosts.canonical(Request.getServerName(request)), httpsPort.getAsInt())
                + path + (query == null ? "" : "?" + query);
        Replies.send(Reply.redirect(301, target), response, callback);
        return true;
    }
}
