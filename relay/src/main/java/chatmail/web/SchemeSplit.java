package chatmail.web;

import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The server's root: HTTPS requests go to the site, plain HTTP ones to the redirector. */
final class SchemeSplit extends Handler.AbstractContainer {

    private final Handler secure;
    private final Handler plain;

    SchemeSplit(Handler secure, Handler plain) {
        super(false);
        this.secure = secure;
        this.plain = plain;
        addBean(secure, true);
        addBean(plain, true);
    }

    @Override
    public List<Handler> getHandlers() {
        return List.of(secure, plain);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return request.isSecure() ? secure.handle(request, response, callback) : plain.handle(request, response, callback);
    }
}
