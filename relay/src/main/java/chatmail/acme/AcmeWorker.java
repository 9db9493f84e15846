package chatmail.acme;

import chatmail.config.Config;
import chatmail.dns.DnsResolver;
import chatmail.tls.CertificateStatus;
import chatmail.tls.IssuedCertificateSource;
import chatmail.tls.KeyMaterial;
import chatmail.worker.QueueWorker;
import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an ACME relay's certificate (OPS-1): loads the stored one, orders the first as soon as
 * the relay listens, orders again when a name starts to resolve, renews at two thirds of the
 * lifetime (or earlier in the CA's ARI window) and retries failures on the {@link RetryBackoff}
 * schedule. Each certificate is stored, then installed into the {@link IssuedCertificateSource},
 * so new connections on every TLS port get it; until the first one they get the self-signed
 * stand-in.
 *
 * <p>One background thread; it sleeps until the next thing is due by the injected clock. A
 * failed order is tried again early only when the DNS answers for the names changed (checked
 * every {@link Settings#dnsRecheck()} meanwhile), so a fixed record is picked up within a
 * minute without retrying an unchanged mistake more often than the back-off allows.
 *
 * <p>With a {@linkplain AcmeState#shared() shared} state (nodes on PostgreSQL, SCALE-2) a node
 * orders only while it holds the cluster's {@link OrderTurn}, kept through its back-off after a
 * failure, so the CA sees one node's orders and retries, not every node's. Every node looks at
 * the stored certificate's version at each round, at least every {@link Settings#dnsRecheck()},
 * and serves a certificate another node obtained from then on.
 */
public final class AcmeWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AcmeWorker.class);

    /**
     * @param backoff when failed orders are tried again
     * @param dnsRecheck how often DNS is looked at while a name is missing or an order failed
     * @param ariPoll how often the CA's renewal window is asked for when it sends no Retry-After
     * @param validationTimeout how long the CA may take to validate and to issue
     */
    public record Settings(RetryBackoff backoff, Duration dnsRecheck, Duration ariPoll, Duration validationTimeout) {
        public static Settings standard() {
            return new Settings(RetryBackoff.standard(), Duration.ofMinutes(1), Duration.ofHours(6), Duration.ofMinutes(2));
        }
    }

    /**
     * Whether this node may order now (SCALE-2: one node of a relay at a time): takes or renews
     * the cluster's ACME lease until {@code now + length}; false while another node holds it.
     */
    public interface OrderTurn {
        boolean take(Instant now, Duration length);

        /** Gives the turn up after a certificate was stored: the next order is weeks away, by whichever node. */
        void release();

        /** One node alone: always its turn. */
        static OrderTurn always() {
            return new OrderTurn() {
                @Override
                public boolean take(Instant now, Duration length) {
                    return true;
                }

                @Override
                public void release() {
                }
            };
        }
    }

    private static final Duration ARI_POLL_MIN = Duration.ofMinutes(1);
    private static final Duration ARI_POLL_MAX = Duration.ofDays(1);

    private final Config config;
    private final AcmeState state;
    private final IssuedCertificateSource source;
    private final DnsResolver dns;
    private final Clock clock;
    private final Settings settings;
    private final AcmeClient client;
    private final OrderTurn turn;
    private final RandomGenerator random = RandomGenerator.getDefault();
    private final QueueWorker worker = new QueueWorker("acme");
    /** One round at a time: the worker's and {@link #runDue()}'s. */
    private final ReentrantLock rounds = new ReentrantLock();

    private Instant nextCheck = Instant.MIN;
    private int failures;
    private Instant nextAttempt;
    private Optional<Duration> retryAfter = Optional.empty();
    private Instant failedAt;
    private String dnsAtFailure;
    private volatile String lastProblem;
    private List<String> reportedMissing = List.of();
    private RenewalWindow ariWindow;
    private Instant ariChoice;
    private Instant ariNextPoll = Instant.MIN;
    private volatile CertificateStatus status;
    private volatile long orders;
    /** The version of the stored certificate this node last looked at (shared state only). */
    private long seenVersion = -1;
    private boolean waitingForOtherNode;

    /**
     * @param caTrust trust anchors for the connection to the CA: the system's plus {@code trusted_ca_file};
     *     asked for at the first order
     */
    public AcmeWorker(Config config, AcmeState state, IssuedCertificateSource source, DnsResolver dns,
            Supplier<SSLContext> caTrust, Clock clock, Settings settings) {
        this(config, state, OrderTurn.always(), source, dns, caTrust, clock, settings);
    }

    /** @param turn whether this node may order now; with a shared state, the cluster's lease */
    public AcmeWorker(Config config, AcmeState state, OrderTurn turn, IssuedCertificateSource source, DnsResolver dns,
            Supplier<SSLContext> caTrust, Clock clock, Settings settings) {
        if (config.httpPort() == 0 && config.httpsPort() == 0) {
            throw new IllegalArgumentException("ACME needs http_port or https_port for the CA's challenges");
        }
        this.config = config;
        this.state = state;
        this.source = source;
        this.dns = dns;
        this.clock = clock;
        this.settings = settings;
        this.turn = turn;
        this.client = new AcmeClient(new AcmeClient.Settings(config.acmeDirectory(), config.acmeEmail(), caTrust,
                config.httpsPort() != 0, config.httpPort() != 0, settings.validationTimeout()), state);
        loadStored();
        this.status = snapshot(clock.instant());
    }

    /** Installs the stored certificate when it still fits this relay, so the first connection gets it. */
    private void loadStored() {
        Optional<KeyMaterial> stored;
        try {
            seenVersion = state.certificateVersion();
            stored = state.certificate();
        } catch (IOException | RuntimeException e) {
            log.warn("the stored ACME certificate does not load ({}); ordering a new one", e.getMessage());
            return;
        }
        if (stored.isEmpty()) {
            log.info("no certificate from ACME yet: serving a self-signed certificate until {} issues one"
                    + " (mail from servers that do not check certificates arrives meanwhile; other chatmail"
                    + " relays and MTA-STS senders wait)", config.acmeDirectory().getHost());
            return;
        }
        if (fits(stored.get())) {
            source.install(stored.get());
            X509Certificate leaf = stored.get().leaf();
            log.info("serving the stored ACME certificate for {}, valid until {}",
                    String.join(", ", CertificateStatus.namesOf(leaf)), leaf.getNotAfter().toInstant());
        }
    }

    /** Whether a stored certificate may be served by this relay now; says why not when not. */
    private boolean fits(KeyMaterial stored) {
        X509Certificate leaf = stored.leaf();
        Optional<URI> issuer = storedAccountDirectory();
        if (issuer.isPresent() && !issuer.get().equals(config.acmeDirectory())) {
            log.info("the stored ACME certificate comes from {}, but acme_directory is now {}; serving a"
                    + " self-signed certificate until the new CA issues one", issuer.get(), config.acmeDirectory());
            return false;
        }
        if (!CertificateStatus.namesOf(leaf).contains(config.mailDomain())) {
            log.info("the stored ACME certificate is for other names ({}); ordering one for {}",
                    String.join(", ", CertificateStatus.namesOf(leaf)), config.mailDomain());
            return false;
        }
        if (!clock.instant().isBefore(leaf.getNotAfter().toInstant())) {
            log.info("the stored ACME certificate expired on {}; serving a self-signed one until the new one",
                    leaf.getNotAfter().toInstant());
            return false;
        }
        return true;
    }

    /**
     * A certificate is in place (ordered here or by another node): no failure, back-off or ARI
     * choice that belonged to the one before counts any longer.
     */
    private void forgetTheLastOrder() {
        failures = 0;
        lastProblem = null;
        retryAfter = Optional.empty();
        ariWindow = null;
        ariChoice = null;
        ariNextPoll = Instant.MIN;
    }

    /**
     * A certificate another node stored since this node last looked: served from now on to new
     * connections, and its renewal planned afresh. One read of a number when nothing changed.
     */
    private void adoptStored() {
        Optional<KeyMaterial> stored;
        try {
            long version = state.certificateVersion();
            if (version == seenVersion) {
                return;
            }
            stored = state.certificate();
            seenVersion = version;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read the stored ACME certificate ({}); looking again in {}", e.getMessage(), settings.dnsRecheck());
            return;
        }
        if (stored.isEmpty() || source.issued().map(KeyMaterial::leaf).equals(Optional.of(stored.get().leaf()))
                || !fits(stored.get())) {
            return;
        }
        source.install(stored.get());
        forgetTheLastOrder();
        waitingForOtherNode = false;
        X509Certificate leaf = stored.get().leaf();
        log.info("serving the certificate another node obtained for {}, valid until {}, to new connections",
                String.join(", ", CertificateStatus.namesOf(leaf)), leaf.getNotAfter().toInstant());
    }

    /** The CA the stored account (and so the stored certificate) belongs to, when known. */
    private Optional<URI> storedAccountDirectory() {
        try {
            return state.account().map(AcmeAccount::directory);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The TLS-ALPN-01 answer for the port-443 router. */
    public TlsAlpnResponder tlsAlpnResponder() {
        return new TlsAlpnResponder(state);
    }

    /** The key authorization for an HTTP-01 token while its challenge is pending, for the port-80 handler. */
    public Optional<String> http01(String token) {
        return state.http01(token);
    }

    /** Starts the background thread; its first round orders at once when there is no certificate. */
    public void start() {
        worker.start(this::loop);
    }

    private void loop() {
        while (worker.running()) {
            try {
                if (!clock.instant().isBefore(due())) {
                    runDue();
                }
                worker.sleep(Optional.of(Duration.between(clock.instant(), due())));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("ACME round failed; trying again in {}", settings.dnsRecheck(), e);
                rounds.lock();
                try {
                    nextCheck = clock.instant().plus(settings.dnsRecheck());
                } finally {
                    rounds.unlock();
                }
            }
        }
    }

    private Instant due() {
        rounds.lock();
        try {
            return nextCheck;
        } finally {
            rounds.unlock();
        }
    }

    /** Makes the worker look now (after the clock moved, for instance). */
    public void wakeUp() {
        worker.wakeUp();
    }

    /**
     * Does on the caller's thread what is due now (after a round in progress ends): checks DNS,
     * renewal and ARI, and orders when a reason and the back-off allow. For tests and operators.
     */
    public void runDue() throws InterruptedException {
        rounds.lockInterruptibly();
        try {
            round();
        } finally {
            rounds.unlock();
        }
    }

    private void round() throws InterruptedException {
        Instant now = clock.instant();
        if (state.shared()) {
            adoptStored();
        }
        ResolvedNames names = ResolvedNames.look(config, dns);
        reportMissing(names);
        Optional<X509Certificate> held = source.issued().map(KeyMaterial::leaf);
        held.ifPresent(leaf -> refreshAri(leaf, now));
        Instant renewAt = held.map(leaf -> RenewalTime.renewAt(leaf, Optional.ofNullable(ariChoice))).orElse(now);
        Optional<String> reason = OrderReason.of(held, names.wantedSet(), renewAt, now);
        if (reason.isEmpty()) {
            Instant next = renewAt;
            if (ariNextPoll.isBefore(next)) {
                next = ariNextPoll;
            }
            if (!names.missing().isEmpty() || state.shared()) {
                next = earliest(next, now.plus(settings.dnsRecheck()));
            }
            finishRound(next, now);
            return;
        }
        if (failures > 0 && now.isBefore(nextAttempt) && !dnsFixedSinceFailure(names, now)) {
            finishRound(earliest(nextAttempt, now.plus(settings.dnsRecheck())), now);
            return;
        }
        if (!turn.take(now, orderLease())) {
            if (!waitingForOtherNode) {
                log.info("another node of this relay is ordering the certificate ({}); this node serves it once it is stored",
                        reason.get());
                waitingForOtherNode = true;
            }
            finishRound(now.plus(settings.dnsRecheck()), now);
            return;
        }
        waitingForOtherNode = false;
        attempt(names, held, reason.get());
    }

    /**
     * How long a node holds the turn for one order: longer than an order can take (each wait for
     * the CA is bounded by the validation time-out; an order waits for every name, then twice).
     */
    private Duration orderLease() {
        return settings.validationTimeout().multipliedBy(10);
    }

    /** True when DNS changed since the failure and no Retry-After of the CA forbids trying now. */
    private boolean dnsFixedSinceFailure(ResolvedNames names, Instant now) {
        boolean allowed = retryAfter.map(d -> !now.isBefore(failedAt.plus(d))).orElse(true);
        return allowed && !names.fingerprint().equals(dnsAtFailure);
    }

    private void attempt(ResolvedNames names, Optional<X509Certificate> held, String reason) throws InterruptedException {
        orders++;
        log.info("ordering a certificate for {} from {} ({})", String.join(", ", names.wanted()),
                config.acmeDirectory().getHost(), reason);
        // With both challenge ports, a failed try switches challenge: a port forward may exist for only one.
        boolean preferTlsAlpn01 = config.httpsPort() != 0 && (config.httpPort() == 0 || failures % 2 == 0);
        try {
            KeyMaterial issued = client.order(names.wanted(), preferTlsAlpn01, held);
            try {
                state.saveCertificate(issued);
                seenVersion = state.certificateVersion();
            } catch (IOException e) {
                log.error("cannot store the new certificate ({}); serving it, but a restart orders again", e.getMessage());
            }
            source.install(issued);
            try {
                turn.release();
            } catch (RuntimeException e) {
                log.warn("cannot give up the ACME order lease ({}); it runs out by itself", e.getMessage());
            }
            forgetTheLastOrder();
            Instant now = clock.instant();
            refreshAri(issued.leaf(), now);
            Instant renewAt = RenewalTime.renewAt(issued.leaf(), Optional.ofNullable(ariChoice));
            log.info("new certificate for {}, valid until {}: every TLS port serves it to new connections; renewal due {}",
                    String.join(", ", CertificateStatus.namesOf(issued.leaf())), issued.leaf().getNotAfter().toInstant(), renewAt);
            finishRound(earliest(earliest(renewAt, ariNextPoll),
                    names.missing().isEmpty() ? Instant.MAX : now.plus(settings.dnsRecheck())), now);
        } catch (OrderFailure f) {
            Instant now = clock.instant();
            failures++;
            failedAt = now;
            retryAfter = f.retryAfter();
            dnsAtFailure = names.fingerprint();
            nextAttempt = settings.backoff().nextAttempt(now, failures, f.retryAfter().map(now::plus));
            lastProblem = f.getMessage();
            // The turn is kept through the back-off: another node would otherwise try at once.
            try {
                turn.take(now, Duration.between(now, nextAttempt).plus(orderLease()));
            } catch (RuntimeException e) {
                log.warn("cannot keep the ACME order lease through the back-off ({})", e.getMessage());
            }
            log.warn("certificate order for {} failed ({} in a row): {}; {}; next try at {}", String.join(", ", names.wanted()),
                    failures, f.getMessage(), held.isPresent() ? "serving the current certificate until then"
                            : "serving the self-signed certificate until then", nextAttempt);
            finishRound(earliest(nextAttempt, now.plus(settings.dnsRecheck())), now);
        }
    }

    /** Asks the CA for its renewal window when that is due; a failure only postpones the next question. */
    private void refreshAri(X509Certificate leaf, Instant now) {
        if (now.isBefore(ariNextPoll)) {
            return;
        }
        try {
            Optional<AcmeClient.Ari> ari = client.renewalInfo(leaf);
            if (ari.isEmpty()) {
                ariNextPoll = now.plus(ARI_POLL_MAX);
                return;
            }
            RenewalWindow window = ari.get().window();
            if (!window.equals(ariWindow)) {
                ariWindow = window;
                ariChoice = window.pick(random);
                log.info("the CA suggests renewing between {} and {}", window.start(), window.end());
            }
            ariNextPoll = now.plus(clamp(ari.get().retryAfter().orElse(settings.ariPoll())));
        } catch (OrderFailure e) {
            ariNextPoll = now.plus(settings.ariPoll());
            log.info("cannot get renewal information from the CA ({}); asking again at {}", e.getMessage(), ariNextPoll);
        }
    }

    private static Duration clamp(Duration poll) {
        return poll.compareTo(ARI_POLL_MIN) < 0 ? ARI_POLL_MIN : poll.compareTo(ARI_POLL_MAX) > 0 ? ARI_POLL_MAX : poll;
    }

    private void reportMissing(ResolvedNames names) {
        if (names.missing().equals(reportedMissing)) {
            return;
        }
        List<String> appeared = reportedMissing.stream().filter(n -> !names.missing().contains(n)).toList();
        List<String> vanished = names.missing().stream().filter(n -> !reportedMissing.contains(n)).toList();
        if (!vanished.isEmpty()) {
            log.info(vanished.size() == 1
                    ? "{} does not resolve: the certificate leaves it out, and the relay orders again when it resolves"
                    : "{} do not resolve: the certificate leaves them out, and the relay orders again when they resolve",
                    String.join(", ", vanished));
        }
        if (!appeared.isEmpty()) {
            log.info(appeared.size() == 1 ? "{} resolves now" : "{} resolve now", String.join(", ", appeared));
        }
        reportedMissing = names.missing();
    }

    private void finishRound(Instant next, Instant now) {
        nextCheck = next;
        status = snapshot(now);
    }

    private CertificateStatus snapshot(Instant now) {
        KeyMaterial current = source.current();
        Optional<KeyMaterial> held = source.issued();
        Optional<Instant> renewal = held.map(h -> RenewalTime.renewAt(h.leaf(), Optional.ofNullable(ariChoice)));
        X509Certificate leaf = current.leaf();
        return new CertificateStatus(Config.TlsMode.ACME, held.isEmpty(), CertificateStatus.namesOf(leaf),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), renewal,
                failures > 0 ? Optional.of(nextAttempt) : Optional.empty(), Optional.ofNullable(lastProblem));
    }

    /** The certificate as of the last round. */
    public CertificateStatus status() {
        return status;
    }

    /** When the worker looks again by itself (the clock's time; a wake-up or {@link #runDue()} looks earlier). */
    public Instant nextCheck() {
        return due();
    }

    /** Orders tried since start, successful or not. */
    public long orders() {
        return orders;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    @Override
    public void close() {
        worker.stop();
        client.close();
    }
}
