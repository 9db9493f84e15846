package chatmail.web;

import chatmail.config.Config;
import chatmail.util.Lazy;
import java.util.function.IntSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTPS site: {@code /new}, the well-known files, the QR codes and the pages. With
 * {@code www_folder} set, the operator's files (the wrapped handler) replace the pages; the
 * relay's endpoints stay.
 */
final class SiteHandler extends Handler.Wrapper {

    static final String AUTOCONFIG = "/.well-known/autoconfig/mail/config-v1.1.xml";
    static final String AUTOCONFIG_HOST_PATH = "/mail/config-v1.1.xml";
    static final String MTA_STS = "/.well-known/mta-sts.txt";

    private final Hosts hosts;
    private final Pages pages;
    private final NewAccountEndpoint newAccount;
    private final AcmeChallenges acme;
    private final SecurityHeaders security;
    private final IntSupplier httpsPort;
    private final boolean operatorPages;
    private final MxDelivEndpoint mxDeliv;
    private final Reply autoconfig;
    private final Reply mtaSts;
    private final Reply robots;
    private final Lazy<Reply> qrPng;
    private final Lazy<Reply> qrSvg;
    private final Reply css;

    SiteHandler(Config config, Pages pages, NewAccountEndpoint newAccount, AcmeChallenges acme,
            SecurityHeaders security, IntSupplier httpsPort, Handler operatorFiles, MxDelivEndpoint mxDeliv) {
        super(operatorFiles);
        this.mxDeliv = mxDeliv;
        this.hosts = new Hosts(config);
        this.pages = pages;
        this.newAccount = newAccount;
        this.acme = acme;
        this.security = security;
        this.httpsPort = httpsPort;
        this.operatorPages = operatorFiles != null;
        String cache = "public, max-age=3600";
        this.autoconfig = Reply.text(200, "application/xml; charset=utf-8", WellKnown.autoconfig(config))
                .withHeader("Cache-Control", cache);
        this.mtaSts = Reply.text(200, Reply.TEXT, WellKnown.mtaSts(config)).withHeader("Cache-Control", cache);
        this.robots = Reply.of(200, Reply.TEXT, Template.resourceBytes("robots.txt")).withHeader("Cache-Control", cache);
        // Drawn on first request: nobody may ever ask, and a start need not wait for it.
        this.qrPng = new Lazy<>(() -> Reply.of(200, "image/png", QrCodes.png(Invite.accountQrText(config), 8))
                .withHeader("Cache-Control", cache));
        this.qrSvg = new Lazy<>(() -> Reply.of(200, "image/svg+xml", QrCodes.svg(Invite.accountQrText(config)))
                .withHeader("Cache-Control", cache));
        this.css = Reply.of(200, "text/css; charset=utf-8", Template.resourceBytes("style.css"))
                .withHeader("Cache-Control", cache);
    }

    /**
     * Blocking: /mxdeliv reads the request body with a blocking stream and /new writes to the
     * database. A Wrapper reports its child's type, NON_BLOCKING without one, and Jetty then
     * runs the handler on the selector thread that would have to deliver the rest of the body:
     * a body arriving after the headers (the third POST on a kept-alive connection, often) then
     * waited for the idle timeout and got a 500.
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        security.common(response.getHeaders());
        String host = Request.getServerName(request);
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        if (hosts.isWww(host)) {
            String query = request.getHttpURI().getQuery();
            Replies.send(Reply.redirect(301, Hosts.httpsOrigin(hosts.domain(), httpsPort.getAsInt()) + path
                    + (query == null ? "" : "?" + query)), response, callback);
            return true;
        }
        if (path == null) {
            path = "/";
        }
        if (path.equals("/mxdeliv") && mxDeliv != null) {
            Replies.send(mxDeliv.handle(request), response, callback);
            return true;
        }
        if (path.equals("/new")) {
            Replies.send(newAccount.handle(method, Replies.client(request)), response, callback);
            return true;
        }
        if (path.startsWith(AcmeChallenges.PREFIX)) {
            Replies.send(acme.handle(method, path), response, callback);
            return true;
        }
        Reply fixed = switch (path) {
            case AUTOCONFIG, AUTOCONFIG_HOST_PATH -> autoconfig;
            case MTA_STS -> mtaSts;
            case "/robots.txt" -> robots;
            case "/qr.png" -> qrPng.get();
            case "/qr.svg" -> qrSvg.get();
            default -> null;
        };
        if (fixed != null) {
            Replies.send(onlyGet(method, fixed), response, callback);
            return true;
        }
        if (operatorPages) {
            if (super.handle(request, response, callback)) {
                return true;
            }
            Replies.send(notFound(), response, callback);
            return true;
        }
        security.ownPages(response.getHeaders());
        Reply page = switch (path) {
            case "/", "/index.html" -> index(request);
            case "/info.html" -> html(pages.info());
            case "/privacy.html" -> html(pages.privacy());
            case "/style.css" -> css;
            default -> notFound();
        };
        Replies.send(onlyGet(method, page), response, callback);
        return true;
    }

    private Reply index(Request request) {
        if (!newAccount.selfSigned()) {
            return html(pages.index());
        }
        // Each visit shows a fresh login; it counts against the same limit as /new.
        return newAccount.credentials(Replies.client(request))
                .map(c -> Reply.of(200, Reply.HTML, pages.indexWithLogin(c.get("email"), c.get("dclogin_url"))))
                .orElseGet(() -> Reply.of(429, Reply.HTML, pages.indexBusy()).withHeader("Retry-After", "1"))
                .withHeader("Cache-Control", "no-store");
    }

    private static Reply html(byte[] page) {
        return Reply.of(200, Reply.HTML, page).withHeader("Cache-Control", "public, max-age=300");
    }

    private static Reply notFound() {
        return Reply.text(404, Reply.TEXT, "Not found\n");
    }

    private static Reply onlyGet(String method, Reply reply) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return reply;
        }
        return Reply.text(405, Reply.TEXT, "Method not allowed\n").withHeader("Allow", "GET, HEAD");
    }
}
