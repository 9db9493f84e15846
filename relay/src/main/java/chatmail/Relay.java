package chatmail;

import chatmail.account.Accounts;
import chatmail.acme.AcmeWorker;
import chatmail.account.LinuxResourceProbe;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.account.AddressRules;
import chatmail.delivery.BounceBuilder;
import chatmail.delivery.LocalDelivery;
import chatmail.delivery.outbound.DestinationPolicy;
import chatmail.delivery.outbound.OutboundDelivery;
import chatmail.delivery.outbound.OutboundSettings;
import chatmail.delivery.outbound.RemoteDelivery;
import chatmail.delivery.outbound.OutboundQueueStore;
import chatmail.dkim.DkimSigner;
import chatmail.dkim.DkimVerifier;
import chatmail.dns.DkimKeyCache;
import chatmail.dns.DnsResolver;
import chatmail.expiry.Expiry;
import chatmail.expiry.ExpiryScheduler;
import chatmail.files.PrivateFiles;
import chatmail.imap.ImapPort;
import chatmail.imap.ImapServer;
import chatmail.imap.ImapServices;
import chatmail.dns.DnsCheckLog;
import chatmail.limits.ClientLimits;
import chatmail.metrics.BoundedAgeSnapshot;
import chatmail.metrics.ConnectionService;
import chatmail.metrics.DeliveryLatency;
import chatmail.metrics.Metrics;
import chatmail.metrics.MetricsServer;
import chatmail.spool.BodySpool;
import chatmail.status.AdminEndpoint;
import chatmail.status.CertificateSource;
import chatmail.status.StatusReport;
import chatmail.status.StatusSources;
import chatmail.store.DataDirLock;
import chatmail.store.StoreStatistics;
import io.prometheus.metrics.core.metrics.Counter;
import chatmail.store.MailStore;
import chatmail.smtp.SmtpPort;
import chatmail.smtp.SmtpServer;
import chatmail.smtp.SmtpServices;
import chatmail.storage.Storage;
import chatmail.tls.CertificateStatus;
import chatmail.tls.TlsContexts;
import chatmail.web.WebServer;
import chatmail.delivery.inbound.MxDelivReceiver;
import chatmail.delivery.InboundPipeline;
import chatmail.delivery.SubmissionPipeline;
import chatmail.policy.RateLimiter;
import chatmail.push.HttpNotifyClient;
import chatmail.push.PushNotifier;
import chatmail.push.PushSettings;
import chatmail.turn.TurnService;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole relay in one object: storage, TLS, accounts, expiry and the protocol listeners,
 * started in dependency order and closed in reverse.
 */
public final class Relay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /** How old the PostgreSQL store totals a scrape reads may be: slow-moving totals, not alerts' figures. */
    public static final Duration SHARED_STATISTICS_MAX_AGE = Duration.ofMinutes(1);

    /**
     * What tests and the CLI may choose beyond the config.
     *
     * @param ephemeralPorts bind every enabled port (non-zero in the config) to a free port
     *     instead; {@link #ports()} tells which
     * @param runExpiry run expiry at start-up and daily
     */
    /**
     * @param warmUp after start, warm what the first message to or from another relay needs
     *     ({@link WarmUp}): in production, not in tests, whose relays mostly never federate
     */
    public record Options(Clock clock, ResourceProbe probe, boolean ephemeralPorts, boolean runExpiry, boolean warmUp) {
        public Options(Clock clock, ResourceProbe probe, boolean ephemeralPorts, boolean runExpiry) {
            this(clock, probe, ephemeralPorts, runExpiry, false);
        }

        public static Options production(Config config) {
            return new Options(Clock.systemUTC(), new LinuxResourceProbe(config.dataDir()), false, true, true);
        }

        public static Options forTests(Clock clock) {
            return new Options(clock, ResourceProbe.ample(), true, false);
        }
    }

    private final Config config;
    private final Options options;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Metrics metrics = new Metrics();
    private final DeliveryLatency latency = new DeliveryLatency(metrics);
    private final AtomicReference<StatusSources.ExpiryRun> lastExpiry = new AtomicReference<>();
    private Instant startedAt;
    private OutboundQueueStore outboundQueue;
    private Storage storage;
    /** What status reads; the certificate and queue sources are the ones to rewire when they change. */
    private StatusSources statusSources;
    private MailStore store;
    private ClientLimits limits;
    private BodySpool spool;
    private TlsContexts tls;
    private Accounts accounts;
    private LocalDelivery localDelivery;
    private ExpiryScheduler expiryScheduler;
    private DkimSigner dkimSigner;
    private DkimVerifier dkimVerifier;
    private DnsResolver deliveryDns;
    private RemoteDelivery remoteDelivery;
    private Thread warmUp;
    private OutboundDelivery outbound;
    private SubmissionPipeline submission;
    private InboundPipeline inbound;
    private SmtpServer smtp;
    private ImapServer imap;
    private WebServer web;
    private PushNotifier push;
    private AcmeWorker acme;
    private TurnService turn;

    private Relay(Config config, Options options) {
        this.config = config;
        this.options = options;
    }

    public static Relay start(Config config, Options options) throws IOException {
        Relay relay = new Relay(config, options);
        try {
            relay.startAll();
        } catch (IOException | RuntimeException e) {
            relay.close();
            throw e;
        }
        return relay;
    }

    private void startAll() throws IOException {
        long t0 = System.nanoTime();
        startedAt = options.clock().instant();
        PrivateFiles.createDirectories(config.dataDir());
        // First in, last out: an import or restore must not write while this relay uses data_dir.
        closeables.push(DataDirLock.acquire(config.dataDir(), "relay"));
        // The certificate (read, checked against its key, JSSE set up) and the storage are
        // independent and each a good part of a start: side by side.
        FutureTask<TlsContexts> tlsSetUp = new FutureTask<>(() -> TlsContexts.create(config));
        Thread.ofPlatform().name("tls-setup").start(tlsSetUp);
        limits = new ClientLimits(config, options.clock(), metrics);
        closeables.push(limits);
        // Closed after every component that uses it; the ACME state comes from it, so before the certificate.
        storage = Storage.open(config, options.clock());
        closeables.push(storage);
        storage.onAccountDeletedElsewhere(limits::accountDeleted);
        store = storage.mailStore();
        tls = result(tlsSetUp);
        prepareCertificate();
        PrivateFilesCheck.run(config);
        spool = BodySpool.open(config.dataDir());
        accounts = new Accounts(config, store, options.probe(), options.clock(), limits.hashing(), metrics,
                storage.sharedCreationSwitch());
        startPush();
        localDelivery = new LocalDelivery(config, store, options.clock(), push::newMail, latency);
        startOutbound();
        if (options.runExpiry()) {
            startExpiry();
        }
        startPipelines();
        startSmtp();
        startTurn();
        startImap();
        startWeb();
        closeables.push(this::stopAccepting);
        if (acme != null) {
            acme.start();
        }
        registerGauges();
        statusSources = new StatusSources(version(), startedAt, this::ports, store::statistics,
                () -> outboundQueue.summary(StatusReport.DESTINATIONS_SHOWN),
                () -> new StatusSources.PushQueue(push.queued(), push.oldestQueued()),
                CertificateSource.of(this::certificateStatus),
                () -> Optional.ofNullable(lastExpiry.get()),
                () -> DnsCheckLog.read(config.dataDir()).map(e -> new StatusSources.DnsCheck(e.at(), e.problems())),
                new StatusSources.Node(storage.node(), config.storage().kind().name().toLowerCase(Locale.ROOT), storage.shared()),
                this::connections, storage::clusterEvents);
        startMetricsListener();
        startAdminEndpoint();
        StringBuilder listening = new StringBuilder();
        ports.forEach((service, port) -> listening.append(listening.isEmpty() ? "" : ", ").append(service).append(' ').append(port));
        log.info("chatmail relay for {} ready in {} ms, listening: {}", config.mailDomain(),
                (System.nanoTime() - t0) / 1_000_000, listening);
        if (options.warmUp()) {
            // A stop during the warm-up ends it before the parts it uses are closed.
            warmUp = WarmUp.start(config, tls, dkimSigner, dkimVerifier, deliveryDns, remoteDelivery, selfHttps(),
                    WarmUpYield.to(submission, inbound), inbound);
            closeables.push(warmUp::interrupt);
            closeables.push(StartUpGarbage.collectAfter(warmUp)::interrupt);
            closeables.push(NativeHeapTrim.startAfter(warmUp)::interrupt);
        }
    }

    /** The task's result, or what it threw (unchecked as it was thrown). */
    private static <T> T result(FutureTask<T> task) throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException r -> throw r;
                case Error error -> throw error;
                case IOException io -> throw io;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    /**
     * ACME mode (OPS-1): the stored certificate is installed before any port opens; the worker
     * starts once the web side can answer the CA's challenges. Every mode exposes the served
     * certificate's expiry as a metric (OPS-3).
     */
    private void prepareCertificate() {
        metrics.gauge("chatmail_certificate_expiry_timestamp_seconds",
                "When the certificate served to new connections expires, in seconds since the epoch.",
                () -> tls.currentCertificate().getNotAfter().getTime() / 1000.0);
        if (tls.issuedCertificates().isEmpty()) {
            CertificateStatus status = certificateStatus();
            log.info("TLS certificate ({}) for {}, valid until {}", config.tlsMode().name().toLowerCase(Locale.ROOT)
                    .replace('_', '-'), String.join(", ", status.names()), status.notAfter());
            return;
        }
        // Orders under the cluster's lease (SCALE-2); one node alone always holds it.
        AcmeWorker.OrderTurn turn = new AcmeWorker.OrderTurn() {
            @Override
            public boolean take(Instant now, Duration length) {
                return storage.takeTurn("acme", now, length);
            }

            @Override
            public void release() {
                storage.endTurn("acme");
            }
        };
        acme = new AcmeWorker(config, storage.acmeState(), turn, tls.issuedCertificates().get(),
                DnsResolver.fromConfig(config), tls::outboundContext, options.clock(), AcmeWorker.Settings.standard());
        closeables.push(acme);
    }

    /**
     * DKIM and the outbound queue (federation): the queue worker starts now and delivers what a
     * previous run left queued. Bounces of remote mail go into the sender's INBOX.
     */
    private void startOutbound() {
        // Delivery asks for the same MX and addresses again and again: kept for their TTL.
        DnsResolver dns = DnsResolver.fromConfig(config).cacheDeliveryAnswers(options.clock());
        deliveryDns = dns;
        dkimSigner = DkimSigner.forRelay(config);
        dkimVerifier = new DkimVerifier(DkimKeyCache.standard(dns, options.clock()));
        OutboundQueueStore queue = storage.outboundQueue();
        outboundQueue = queue;
        OutboundSettings settings = OutboundSettings.of(config);
        RemoteDelivery remote = new RemoteDelivery(dns, tls, options.clock(), settings, DestinationPolicy.forRelay(config),
                config.mailDomain(), config.outboundSmtpPort(), config.outboundHttpsPort(), !config.disableIpv6());
        closeables.push(remote);
        remoteDelivery = remote;
        outbound = new OutboundDelivery(queue, remote::deliver, new BounceBuilder(config.addressDomain(), options.clock()),
                dkimSigner, (sender, dsn) -> localDelivery.deliver(dsn,
                        List.of(store.findAccount(AddressRules.normalize(sender)).orElseThrow(
                                () -> new IllegalStateException("the sender's account is gone")))),
                options.clock(), settings, metrics);
        closeables.push(outbound);
        outbound.start();
    }

    /**
     * Push notifications (PUSH-1): local deliveries queue them, the worker starts now and sends
     * what a previous run left queued. Stopped after the listeners, so their last deliveries
     * still queue.
     */
    private void startPush() {
        PushSettings settings = PushSettings.defaults();
        var queue = storage.pushQueue();
        HttpNotifyClient client = new HttpNotifyClient(config.notifyUrl(), tls::outboundContext, settings);
        closeables.push(client);
        push = new PushNotifier(queue, store, client, options.clock(), settings, metrics);
        closeables.push(push);
        push.start();
    }

    /**
     * One pipeline per direction (DESIGN "One pipeline per direction"): submission for 465, 587
     * and port 443's ALPN smtp; inbound for port 25 and /mxdeliv.
     */
    private void startPipelines() {
        submission = new SubmissionPipeline(config, options.clock(), spool, metrics, localDelivery,
                RateLimiter.fromConfig(config, options.clock()), dkimSigner,
                new BounceBuilder(config.addressDomain(), options.clock()), outbound);
        inbound = new InboundPipeline(config, spool, metrics, localDelivery, dkimVerifier);
    }

    private void startSmtp() throws IOException {
        smtp = new SmtpServer(SmtpServices.create(config, options.clock(), accounts, submission, inbound, limits), tls);
        closeables.push(smtp);
        listen(SmtpPort.MX, config.smtpPort(), smtp);
        listen(SmtpPort.SUBMISSION, config.submissionPort(), smtp);
        listen(SmtpPort.SUBMISSIONS, config.submissionsPort(), smtp);
    }

    /**
     * HTTP, HTTPS (with {@code /mxdeliv} from other relays) and the port-443 router, which hands
     * ALPN {@code smtp} to submission and {@code imap} to IMAP (WEB-3).
     */
    private void startWeb() throws IOException {
        WebServer.Settings settings = WebServer.Settings.of(options.clock(), options.ephemeralPorts(), this::ports, limits)
                .withMxDeliv(new MxDelivReceiver(inbound));
        if (acme != null) {
            settings = settings.withAcmeHttp(acme::http01);
        }
        web = WebServer.start(config, tls, settings);
        closeables.push(web);
        web.route("smtp", transport -> smtp.serve(SmtpPort.SUBMISSIONS, transport));
        web.route("imap", transport -> imap.serve(ImapPort.IMAPS, transport));
        if (acme != null) {
            web.answerHandshake("acme-tls/1", acme.tlsAlpnResponder());
        }
        web.ports().forEach(ports::putIfAbsent);
    }

    private void startImap() throws IOException {
        imap = new ImapServer(ImapServices.create(config, options.clock(), accounts, store, spool, limits, latency,
                turn.announcement()), tls);
        closeables.push(imap);
        for (ImapPort port : new ImapPort[] {ImapPort.IMAP, ImapPort.IMAPS}) {
            int configured = port == ImapPort.IMAP ? config.imapPort() : config.imapsPort();
            listen(port.serviceName(), configured, (address, number) -> imap.listen(port, address, number));
        }
    }

    /**
     * The first step of a stop: an expiry run ends after its current store call, no listener
     * accepts any longer, and every IMAP and SMTP connection waiting for its client is closed,
     * while those executing a command get up to 5 s (one wait for all) to answer it as each
     * server closes (docs/decisions.md).
     */
    private void stopAccepting() {
        if (expiryScheduler != null) {
            expiryScheduler.stop();
        }
        smtp.stopAccepting();
        imap.stopAccepting();
        web.stopAccepting();
    }

    /** Expiry at start-up and daily; each run counted (OPS-3) and kept for {@code status}. */
    private void startExpiry() {
        Counter deleted = metrics.counter("chatmail_expiry_deleted", "What expiry deleted, by kind.", "kind");
        for (String kind : List.of("messages", "large_messages", "accounts")) {
            deleted.initLabelValues(kind);
        }
        metrics.gauge("chatmail_expiry_last_run_timestamp_seconds", "When expiry last ran (Unix time); 0 before its first run.",
                () -> Optional.ofNullable(lastExpiry.get()).map(run -> run.at().getEpochSecond()).orElse(0L));
        Duration interval = config.timeouts().expiryInterval();
        // With several nodes one runs each day's expiry; the lease ends a little before the next
        // run, so the holder's next run takes it again, and another node's does when it died.
        // Not Duration.dividedBy(long): it divides BigDecimals, whose class set-up costs a start ~10 ms.
        Duration lease = interval.minusNanos(interval.toNanos() / 10);
        expiryScheduler = new ExpiryScheduler(new Expiry(config, store, options.clock(), limits::accountDeleted),
                interval, () -> storage.takeTurn("expiry", options.clock().instant(), lease), report -> {
                    deleted.labelValues("messages").inc(report.oldMessages());
                    deleted.labelValues("large_messages").inc(report.largeSeenMessages());
                    deleted.labelValues("accounts").inc(report.inactiveAccounts());
                    lastExpiry.set(new StatusSources.ExpiryRun(options.clock().instant(), report));
                });
        closeables.push(expiryScheduler);
    }

    /** Gauges read when scraped: connections, IDLE, the push queue, storage (OPS-3). */
    private void registerGauges() {
        metrics.node(storage.node(), config.storage().kind().name().toLowerCase(Locale.ROOT));
        storage.registerMetrics(metrics);
        metrics.gauge("chatmail_imap_idle_sessions", "IMAP connections in IDLE.", imap::idleSessions);
        // Read from storage: the whole cluster's figures when the nodes share it.
        Metrics.Scope stored = Metrics.Scope.ofStorage(storage.shared());
        metrics.gauge(stored, "chatmail_push_queue_size", "Push notifications waiting to be sent or retried.", push::queued);
        metrics.gauge(stored, "chatmail_push_queue_oldest_age_seconds", "How long the oldest waiting push notification has waited; 0 when none.",
                () -> push.oldestQueued().map(o -> Duration.between(o, options.clock().instant()).toMillis() / 1000.0).orElse(0.0));
        metrics.gauges(stored, storeStatisticsForScrapes(), List.<Metrics.GaugeOf<StoreStatistics>>of(
                new Metrics.GaugeOf<>("chatmail_accounts", "Accounts.", StoreStatistics::accounts),
                new Metrics.GaugeOf<>("chatmail_stored_messages", "Messages in all mailboxes.", StoreStatistics::messages),
                new Metrics.GaugeOf<>("chatmail_stored_bytes", "Bytes of message bodies stored (each body once).",
                        StoreStatistics::bytes)));
    }

    /**
     * The store's totals as the metrics read them. SQLite keeps them in counters, so each scrape
     * reads them afresh; PostgreSQL counts the messages and sums the bodies each time, over the
     * whole cluster's tables, so a node takes them at most once per
     * {@link #SHARED_STATISTICS_MAX_AGE} (docs/decisions.md, "Storage gauges on PostgreSQL").
     */
    private Supplier<StoreStatistics> storeStatisticsForScrapes() {
        Supplier<StoreStatistics> fresh = () -> store.statistics(today());
        return storage.shared() ? new BoundedAgeSnapshot<>(fresh, SHARED_STATISTICS_MAX_AGE, options.clock()) : fresh;
    }

    private LocalDate today() {
        return LocalDate.ofInstant(options.clock().instant(), ZoneOffset.UTC);
    }

    /** {@code metrics_address}: Prometheus text over plain HTTP, off unless configured (OPS-3). */
    private void startMetricsListener() throws IOException {
        if (config.metricsAddress() == null) {
            return;
        }
        // Only with an exporter: nothing else reads them, and setting them up (JMX and its MXBeans)
        // took 0.6-1 s of a start here (a JVM without the AOT cache, a busy machine).
        metrics.registerJvmMetrics();
        String hostPort = config.metricsAddress();
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port = options.ephemeralPorts() ? 0 : Integer.parseInt(hostPort.substring(colon + 1));
        MetricsServer server;
        try {
            server = MetricsServer.start(metrics, InetAddress.getByName(host), port);
        } catch (BindException e) {
            BindException named = new BindException("cannot listen for metrics on " + host + " port " + port + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        closeables.push(server);
        ports.put("metrics", server.port());
    }

    /** The unix socket {@code chatmail status} asks (OPS-3). */
    private void startAdminEndpoint() throws IOException {
        try {
            closeables.push(AdminEndpoint.start(config.dataDir(), this::status));
        } catch (java.net.SocketException e) {
            // A data_dir path too long for a unix socket (about 100 bytes): the relay runs, status cannot ask it.
            log.warn("no admin endpoint, so chatmail status will not answer: {}", e.getMessage());
        }
    }

    /** Where this relay answers HTTPS (the first listen address; loopback for a wildcard), or null. */
    private InetSocketAddress selfHttps() {
        Integer port = ports.get("https");
        if (port == null || config.listenAddresses().isEmpty()) {
            return null;
        }
        try {
            InetAddress address = InetAddress.getByName(config.listenAddresses().getFirst());
            return new InetSocketAddress(address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address, port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Waits until the warm-up after the start has ended; at once when there is none (the AOT training run). */
    public void awaitWarmUp() throws InterruptedException {
        if (warmUp != null) {
            warmUp.join();
        }
    }

    /** The relay's version, as the jar's manifest says ({@code dev} when run from classes). */
    public static String version() {
        String v = Relay.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This node's open connections by service and its IDLE sessions, for {@code status}. */
    private StatusSources.Connections connections() {
        Map<String, Integer> open = new LinkedHashMap<>();
        for (ConnectionService service : ConnectionService.values()) {
            open.put(service.label(), limits.connections(service));
        }
        return new StatusSources.Connections(open, imap.idleSessions());
    }

    /** The report {@code chatmail status} prints, as of now by the relay's clock. */
    public StatusReport status() {
        return StatusReport.collect(statusSources, options.clock());
    }

    /** Our TURN server for calls, or the one turn_server names (TURN-1); before IMAP, which announces it. */
    private void startTurn() throws IOException {
        turn = TurnService.start(config, options.clock(), metrics, options.ephemeralPorts(),
                storage.turnSecret());
        closeables.push(turn);
        turn.port().ifPresent(port -> ports.put("turn", port));
    }

    /** Binds one service on one address and port; returns the bound port. */
    @FunctionalInterface
    private interface Binder {
        int bind(InetAddress address, int port) throws IOException;
    }

    private void listen(SmtpPort service, int configuredPort, SmtpServer server) throws IOException {
        listen(service.serviceName(), configuredPort, (address, port) -> server.listen(service, address, port));
    }

    private void listen(String serviceName, int configuredPort, Binder binder) throws IOException {
        if (configuredPort == 0) {
            return;
        }
        int port = options.ephemeralPorts() ? 0 : configuredPort;
        for (String address : config.listenAddresses()) {
            int bound;
            try {
                bound = binder.bind(InetAddress.getByName(address), port);
            } catch (BindException e) {
                // The JDK's message names neither address nor port; the operator needs both.
                BindException named = new BindException("cannot listen for " + serviceName
                        + " on " + address + " port " + port + ": " + e.getMessage());
                named.initCause(e);
                throw named;
            }
            ports.putIfAbsent(serviceName, bound);
        }
    }

    /** Actual bound ports by service name ({@code smtp}, {@code submission}, …), in start order. */
    public Map<String, Integer> ports() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(ports));
    }

    public Config config() {
        return config;
    }

    /** Every count of this relay (SPEC OPS-3); components get it from here at start. */
    public Metrics metrics() {
        return metrics;
    }

    public MailStore store() {
        return store;
    }

    /** Where arriving message bodies wait ({@code data_dir/tmp}, SEC-1). */
    public BodySpool spool() {
        return spool;
    }

    public Accounts accounts() {
        return accounts;
    }

    /** The limits layer (SEC-2, SEC-3, SEC-9) every listener and login path asks. */
    public ClientLimits limits() {
        return limits;
    }

    /**
     * An expiry pass as the daily one runs it, with its deletions ending the sessions of deleted
     * accounts (SEC-9); for the operator's tools and tests.
     */
    public Expiry expiry() {
        return new Expiry(config, store, options.clock(), limits::accountDeleted);
    }

    public TlsContexts tls() {
        return tls;
    }

    /** The served certificate: names, expiry and, with ACME, renewal (OPS-1; for status and metrics). */
    public CertificateStatus certificateStatus() {
        return acme != null ? acme.status() : CertificateStatus.of(config.tlsMode(), tls.currentCertificate());
    }

    /** The ACME worker, in ACME mode: tests move the clock and call {@link AcmeWorker#runDue()}. */
    public Optional<AcmeWorker> acme() {
        return Optional.ofNullable(acme);
    }

    public LocalDelivery localDelivery() {
        return localDelivery;
    }

    /** The expiry schedule, when {@link Options#runExpiry()} started one. */
    public Optional<ExpiryScheduler> expiryScheduler() {
        return Optional.ofNullable(expiryScheduler);
    }

    /** Signs outgoing mail and bounces (a pass-through on IP-only relays). */
    public DkimSigner dkimSigner() {
        return dkimSigner;
    }

    /** The SMTP-8 origin check for port 25 and /mxdeliv. */
    public DkimVerifier dkimVerifier() {
        return dkimVerifier;
    }

    /** Mail from other servers (port 25, /mxdeliv). */
    public InboundPipeline inbound() {
        return inbound;
    }

    /** Mail from the relay's users (465, 587, 443). */
    public SubmissionPipeline submission() {
        return submission;
    }

    /** The outbound queue: {@code enqueue} remote recipients of submitted mail. */
    public OutboundDelivery outbound() {
        return outbound;
    }

    /** Push notifications: tests move the clock and call {@link PushNotifier#runDue()}. */
    public PushNotifier push() {
        return push;
    }

    /** TURN: our server when it runs, and what METADATA announces. */
    public TurnService turn() {
        return turn;
    }

    /** The IMAP server, for the port-443 router to hand it connections. */
    public ImapServer imap() {
        return imap;
    }

    @Override
    public synchronized void close() {
        if (closeables.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                log.warn("while stopping: {}", e.toString());
            }
        }
        log.info("chatmail relay for {} stopped in {} ms", config.mailDomain(), (System.nanoTime() - t0) / 1_000_000);
    }
}
