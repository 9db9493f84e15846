package chatmail.web;

import chatmail.account.CredentialGenerator;
import chatmail.config.Config;
import chatmail.delivery.inbound.MxDelivReceiver;
import chatmail.limits.ClientLimits;
import chatmail.net.AlpnRouter;
import chatmail.net.ListenBacklog;
import chatmail.net.StopGrace;
import chatmail.tls.TlsContexts;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's web side: HTTPS on {@code https_port} behind the ALPN router (which also carries
 * IMAP and SMTP, WEB-3), and HTTP on {@code http_port}, which redirects to HTTPS except for
 * ACME challenges. Jetty 12 core, handlers on virtual threads.
 *
 * <p>Usage: {@code WebServer.start(...)}, then {@link #route} for each protocol served in
 * process on the HTTPS port ({@code smtp}, {@code imap}).
 */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    /**
     * @param clock for the {@code /new} rate limit
     * @param ephemeralPorts bind free ports instead of the configured ones (tests)
     * @param relayPorts the relay's bound ports by service name, read when a {@code dclogin:}
     *     link is built ({@code imaps}, {@code submissions}); configured ports fill the gaps
     * @param router peek size and handshake timeout of the port-443 router
     * @param idleTimeout how long an HTTP connection may sit idle
     * @param limits the relay's limits layer: port 443's connections and the {@code /new} rate (SEC-3)
     */
    public record Settings(Clock clock, boolean ephemeralPorts, Supplier<Map<String, Integer>> relayPorts,
            AlpnRouter.Settings router, Duration idleTimeout, MxDelivReceiver mxDeliv, ClientLimits limits,
            AcmeHttpAnswers acmeHttp) {
        public static Settings of(Clock clock, boolean ephemeralPorts, Supplier<Map<String, Integer>> relayPorts,
                ClientLimits limits) {
            return new Settings(clock, ephemeralPorts, relayPorts, AlpnRouter.Settings.defaults(),
                    Duration.ofSeconds(30), null, limits, AcmeHttpAnswers.none());
        }

        /** Serves {@code POST /mxdeliv} with this receiver (DLV-4); without one the path is 404. */
        public Settings withMxDeliv(MxDelivReceiver receiver) {
            return new Settings(clock, ephemeralPorts, relayPorts, router, idleTimeout, receiver, limits, acmeHttp);
        }

        /** Answers ACME HTTP-01 challenges from these (OPS-1); without them every token is 404. */
        public Settings withAcmeHttp(AcmeHttpAnswers answers) {
            return new Settings(clock, ephemeralPorts, relayPorts, router, idleTimeout, mxDeliv, limits, answers);
        }
    }

    private final Config config;
    private final Settings settings;
    private final Server server;
    private final List<AlpnRouter> routers = new ArrayList<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private volatile int httpsPort;
    private GracefulHandler inFlight;

    private WebServer(Config config, Settings settings) {
        JettyLogging.keepClientAddressesOut();
        // Without it, Jetty's MemoryUtils asks the platform MBean server whether oops are
        // compressed: that starts JMX (some 150 classes and their heap) to size a queue's padding.
        // They are compressed below a 32 GiB heap; either answer only changes padding.
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine",
                    Runtime.getRuntime().maxMemory() < 32L << 30 ? "16" : "8");
        }
        this.config = config;
        this.settings = settings;
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("web");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("web-", 0).factory()));
        this.server = new Server(threads);
        this.httpsPort = config.httpsPort();
    }

    public static WebServer start(Config config, TlsContexts tls, Settings settings) throws IOException {
        WebServer web = new WebServer(config, settings);
        try {
            web.startAll(tls);
        } catch (IOException | RuntimeException e) {
            web.close();
            throw e;
        }
        return web;
    }

    private void startAll(TlsContexts tls) throws IOException {
        Hosts hosts = new Hosts(config);
        AcmeChallenges acme = new AcmeChallenges(settings.acmeHttp());
        SecurityHeaders security = new SecurityHeaders(config.tlsMode() != Config.TlsMode.SELF_SIGNED);
        NewAccountEndpoint newAccount = new NewAccountEndpoint(config, new CredentialGenerator(config),
                settings.limits()::newAccountRequest, this::mailServers);
        SiteHandler site = new SiteHandler(config, new Pages(config), newAccount, acme, security,
                () -> httpsPort, operatorFiles(),
                settings.mxDeliv() == null ? null : new MxDelivEndpoint(settings.mxDeliv()));
        PlainHttpHandler plain = new PlainHttpHandler(hosts, acme, security, () -> httpsPort);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Older Delta Chat versions send absolute-form targets (ACC-4); the target's authority
        // wins over the Host header (RFC 9112 3.2.2) instead of Jetty refusing the mismatch.
        http.setHttpCompliance(HttpCompliance.RFC9110.with("chatmail", HttpCompliance.Violation.MISMATCHED_AUTHORITY));
        HttpConfiguration https = new HttpConfiguration(http);
        https.setSecureScheme("https");
        https.addCustomizer(new SecureRequestCustomizer(false));

        HandedOverConnector handedOver = null;
        if (config.httpsPort() != 0) {
            handedOver = new HandedOverConnector(server,
                    new SslConnectionFactory(new RelaySslContextFactory(tls), "http/1.1"),
                    new HttpConnectionFactory(https));
            handedOver.setName("https");
            handedOver.setIdleTimeout(settings.idleTimeout().toMillis());
            server.addConnector(handedOver);
        }
        List<ServerConnector> httpConnectors = new ArrayList<>();
        if (config.httpPort() != 0) {
            for (String address : config.listenAddresses()) {
                ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
                c.setName("http");
                c.setAcceptQueueSize(ListenBacklog.SIZE);
                c.setHost(address);
                c.setPort(settings.ephemeralPorts() ? 0 : config.httpPort());
                c.setIdleTimeout(settings.idleTimeout().toMillis());
                server.addConnector(c);
                httpConnectors.add(c);
            }
        }
        // A stop lets requests being answered finish: a /mxdeliv whose commit is under way would
        // otherwise lose its answer, and the sending relay would deliver the message again.
        server.setHandler(inFlight = new GracefulHandler(new SchemeSplit(site, plain)));
        server.setStopTimeout(StopGrace.DURATION.toMillis());
        server.setErrorHandler(new ErrorPages());
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("web server did not start: " + e.getMessage(), e);
        }
        for (ServerConnector c : httpConnectors) {
            ports.putIfAbsent("http", c.getLocalPort());
        }
        if (handedOver != null) {
            HandedOverConnector target = handedOver;
            for (String address : config.listenAddresses()) {
                AlpnRouter router = new AlpnRouter("https", InetAddress.getByName(address),
                        settings.ephemeralPorts() ? 0 : config.httpsPort(), tls, settings.limits(), target::take,
                        settings.router());
                routers.add(router);
                ports.putIfAbsent("https", router.port());
            }
            httpsPort = ports.get("https");
        }
        log.info("web: {}", ports.isEmpty() ? "no ports" : ports);
    }

    private Handler operatorFiles() throws IOException {
        if (config.wwwFolder() == null) {
            return null;
        }
        if (!Files.isDirectory(config.wwwFolder())) {
            throw new IOException("www_folder " + config.wwwFolder() + " is not a directory");
        }
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(server).newResource(config.wwwFolder()));
        files.setDirAllowed(false);
        files.setWelcomeFiles(List.of("index.html"));
        files.getResourceService().setWelcomeMode(org.eclipse.jetty.server.ResourceService.WelcomeMode.SERVE);
        return files;
    }

    private NewAccountEndpoint.MailServers mailServers() {
        Map<String, Integer> bound = settings.relayPorts().get();
        return new NewAccountEndpoint.MailServers(loginHost(),
                bound.getOrDefault("imaps", config.imapsPort()),
                bound.getOrDefault("submissions", config.submissionsPort()));
    }

    /**
     * The host a {@code dclogin:} link names: the domain, except for a relay listening only on
     * loopback (dev mode), where a {@code .localhost} name may not resolve but the address works.
     */
    private String loginHost() {
        String first = config.listenAddresses().getFirst();
        try {
            if (InetAddress.getByName(first).isLoopbackAddress()) {
                return first;
            }
        } catch (java.net.UnknownHostException e) {
            // a name, not an address: the domain is the better guess
        }
        return config.mailDomain();
    }

    /**
     * Serves clients that offer ALPN {@code alpnName} on the HTTPS port in process, e.g.
     * {@code route("imap", imapServer::serve)}. The transport is TLS 1.3, handshake done, and
     * knows the client's address.
     */
    public WebServer route(String alpnName, AlpnRouter.TlsService service) {
        for (AlpnRouter r : routers) {
            r.route(alpnName, service);
        }
        return this;
    }

    /**
     * Lets {@code answer} perform the handshake of clients on the HTTPS port that offer only
     * {@code alpnName}: ACME TLS-ALPN-01 ({@code acme-tls/1}).
     */
    public WebServer answerHandshake(String alpnName, AlpnRouter.HandshakeAnswer answer) {
        for (AlpnRouter r : routers) {
            r.answerHandshake(alpnName, answer);
        }
        return this;
    }

    /** Bound ports: {@code http} and {@code https} (the router's), when enabled. */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    /**
     * The HTTPS routers stop accepting, and their IMAP and SMTP connections that wait for their
     * client close; the relay's stop calls this on every listener before it closes any.
     */
    public void stopAccepting() {
        for (AlpnRouter r : routers) {
            r.stopAccepting();
        }
    }

    @Override
    public void close() {
        stopAccepting();
        if (inFlight != null && inFlight.getCurrentRequestCount() > 0) {
            log.info("web: stopping, waiting up to {} s for {} requests being answered", StopGrace.DURATION.toSeconds(),
                    inFlight.getCurrentRequestCount());
        }
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("web: while stopping: {}", e.toString());
        }
        // After Jetty's wait, which ran alongside the IMAP and SMTP commands on port 443 finishing.
        for (AlpnRouter r : routers) {
            r.close();
        }
    }
}
