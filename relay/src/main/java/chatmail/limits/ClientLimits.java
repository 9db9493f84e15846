package chatmail.limits;

import chatmail.config.Config;
import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import chatmail.metrics.Metrics;
import chatmail.policy.RateLimiter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * The one limits layer of the relay (SPEC SEC-2, SEC-3, SEC-9; Postfix's anvil, Dovecot's login
 * limits): every listener asks it before it serves a connection, and every login path reports
 * to it. Clients are IPv4 addresses and IPv6 /64s ({@link ClientKey}). It holds
 * <ul>
 *   <li>per service (MX, submission, IMAP, port 443): the cap, a fifth of it per client, and at
 *       most {@code max_unauthenticated_connections_per_client} per client before login; when a
 *       service is full, the oldest connection that has not logged in is closed to make room
 *       (a logged-in one never is);</li>
 *   <li>the login deadline ({@code login_timeout}, absolute from connect, each connection's in
 *       its last quarter so that a burst of connections does not end in one instant; a
 *       watchdog closes what the session itself did not end, such as a stalled TLS
 *       handshake);</li>
 *   <li>failed logins per client across SMTP, IMAP and port 443, and the delay of the answer
 *       to each wrong password past the free ones;</li>
 *   <li>IMAP connections per account, and the sessions to end when an account is deleted;</li>
 *   <li>the password hashing pool and the rate of {@code /new} requests per client.</li>
 * </ul>
 * Refusals are counted in {@code chatmail_connections_refused_total}; no address is kept
 * longer than its connections, failures or rate bucket need it, nor logged.
 */
public final class ClientLimits implements AutoCloseable {

    /** ACC-4: {@code /new} at 2 per second with bursts of 5, per client. */
    private static final int NEW_ACCOUNTS_PER_MINUTE = 120;
    private static final int NEW_ACCOUNTS_BURST = 5;
    /** How long after the login deadline the watchdog closes a connection the session did not end. */
    private static final Duration WATCHDOG_GRACE = Duration.ofSeconds(5);
    /** The earliest a connection's login deadline falls, as a fraction of {@code login_timeout}. */
    static final double DEADLINE_SPREAD_FROM = 0.75;
    /** 2^64 divided by the golden ratio: n times it, modulo 2^64, is n·φ's fractional part. */
    private static final long GOLDEN_RATIO_64 = 0x9E3779B97F4A7C15L;

    private final Config.Limits settings;
    private final Metrics metrics;
    private final Map<ConnectionService, ConnectionTable> tables = new EnumMap<>(ConnectionService.class);
    private final AccountSessions accounts;
    private final LoginFailures failures;
    private final HashingPool hashing;
    private final RateLimiter newAccounts;
    private final ScheduledThreadPoolExecutor watchdog;
    private final AtomicLong connectionNumber = new AtomicLong();

    public ClientLimits(Config config, Clock clock, Metrics metrics) {
        this(config, clock, metrics, HashingPool.forThisMachine());
    }

    public ClientLimits(Config config, Clock clock, Metrics metrics, HashingPool hashing) {
        this.settings = config.limits();
        this.metrics = metrics;
        int unauthenticated = settings.maxUnauthenticatedPerClient();
        tables.put(ConnectionService.MX, new ConnectionTable(ConnectionService.MX, config.maxSmtpConnections(), unauthenticated));
        tables.put(ConnectionService.SUBMISSION,
                new ConnectionTable(ConnectionService.SUBMISSION, config.maxSmtpConnections(), unauthenticated));
        tables.put(ConnectionService.IMAP, new ConnectionTable(ConnectionService.IMAP, config.maxImapConnections(), unauthenticated));
        tables.put(ConnectionService.HTTPS,
                new ConnectionTable(ConnectionService.HTTPS, settings.maxHttpsConnections(), unauthenticated));
        this.accounts = new AccountSessions(settings.maxImapConnectionsPerAccount());
        this.failures = new LoginFailures(clock, settings.loginFailuresBeforeDelay(), settings.loginFailureDelay(),
                settings.maxLoginFailureDelay());
        this.hashing = hashing;
        this.newAccounts = new RateLimiter(NEW_ACCOUNTS_PER_MINUTE, NEW_ACCOUNTS_BURST, clock);
        this.watchdog = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("login-deadlines").unstarted(r));
        watchdog.setRemoveOnCancelPolicy(true);
        Map<String, DoubleSupplier> open = new LinkedHashMap<>();
        for (ConnectionService service : ConnectionService.values()) {
            open.put(service.label(), () -> tables.get(service).total());
        }
        metrics.gauge("chatmail_connections", "Open connections by service (port 443's IMAP and SMTP count as imap and submission "
                + "once routed; https is port 443 before routing and HTTPS).", "service", open);
        metrics.gauge("chatmail_password_hashes_waiting", "Password hashes queued for the hashing pool.", hashing::waiting);
        metrics.gauge("chatmail_password_hashes_computed", "Password hashes computed since start.", hashing::computed);
    }

    /**
     * Asks for a place for a new connection of {@code client}. Always returns an admission:
     * refused ones carry the reason, for the protocol's refusal; the caller closes admitted
     * ones when the connection ends, and tells them how to close it ({@link Admission#closeWith}).
     * Evicting the oldest unauthenticated connection to make room happens here.
     */
    public Admission admit(ConnectionService service, InetAddress client) {
        ConnectionTable table = tables.get(service);
        long deadline = System.nanoTime() + loginDeadlineAfter(connectionNumber.getAndIncrement(), settings.loginTimeout());
        Admission candidate = new Admission(this, service, ClientKey.of(client), null, deadline);
        ConnectionTable.Decision decision = table.admit(candidate);
        if (decision.refusal() != null) {
            refused(service, decision.refusal());
            return new Admission(null, service, candidate.clientKey(), decision.refusal(), Long.MAX_VALUE);
        }
        if (decision.victim() != null) {
            refused(service, ConnectionRefusal.EVICTED);
            released(decision.victim());
            decision.victim().end();
        }
        scheduleWatchdog(candidate);
        return candidate;
    }

    /**
     * How long after connect the {@code n}th connection's login deadline falls: between
     * {@link #DEADLINE_SPREAD_FROM} of {@code timeout} and all of it, never longer. Connections
     * that came in one burst (a flood, or its reconnections) would otherwise all reach their
     * deadline in the same instant, and their closes and reconnections (accept, admission,
     * eviction, TLS handshakes) would come back as one wave every {@code timeout}; spread, they
     * are a steady trickle. Deterministic (the golden-ratio sequence over the connection's
     * number: any run of consecutive connections is evenly spread), so no client can pick a
     * longer deadline by retrying.
     */
    static long loginDeadlineAfter(long n, Duration timeout) {
        long full = timeout.toNanos();
        long floor = (long) (full * DEADLINE_SPREAD_FROM);
        double fraction = ((n * GOLDEN_RATIO_64) >>> 11) * 0x1.0p-53;
        return Math.min(full, floor + (long) ((full - floor) * fraction));
    }

    private void scheduleWatchdog(Admission a) {
        Duration timeout = settings.loginTimeout();
        // In nanoseconds: Duration.dividedBy(long) divides BigDecimals, whose class initialisation
        // (tables of powers of ten) the first connection after a start would otherwise pay.
        Duration half = Duration.ofNanos(timeout.toNanos() / 2);
        Duration grace = half.compareTo(WATCHDOG_GRACE) < 0 ? half : WATCHDOG_GRACE;
        long untilDeadline = Math.max(0, a.loginDeadline() - System.nanoTime());
        synchronized (a) {
            a.watchdog = watchdog.schedule(() -> {
                if (a.loginPending()) {
                    a.loginTimedOut();
                    a.end();
                }
            }, untilDeadline + grace.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    void cancelWatchdog(Admission a) {
        synchronized (a) {
            if (a.watchdog != null) {
                a.watchdog.cancel(false);
                a.watchdog = null;
            }
        }
    }

    void established(Admission a) {
        cancelWatchdog(a);
        tables.get(a.service()).authenticated(a);
    }

    void release(Admission a) {
        tables.get(a.service()).release(a);
        released(a);
    }

    /** What follows a connection's removal from its table, whoever removed it; idempotent. */
    private void released(Admission a) {
        cancelWatchdog(a);
        accounts.unregister(a);
    }

    void refused(ConnectionService service, ConnectionRefusal reason) {
        metrics.connectionRefused(service, reason);
    }

    AccountSessions accountSessions() {
        return accounts;
    }

    /**
     * Records a failed login of this client and waits the delay SEC-3 puts on its answer (none
     * for the first few within a minute). The caller is a virtual thread: waiting is cheap, and
     * the client's hashing slot is already free again.
     */
    public void loginFailed(InetAddress client) {
        Duration delay = failures.failed(ClientKey.of(client));
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The account is gone (expiry, operator): its IMAP and SMTP sessions end now (SEC-9). Each
     * ends the way it registered at login: an IDLE session says BYE, the others are closed.
     */
    public void accountDeleted(long accountId) {
        List<Admission> sessions = accounts.removeAll(accountId);
        for (Admission a : sessions) {
            refused(a.service(), ConnectionRefusal.ACCOUNT_DELETED);
            Runnable end = a.endSession;
            try {
                if (end != null) {
                    end.run();
                } else {
                    a.end();
                }
            } catch (RuntimeException ignored) {
                // the session is on its way out anyway
            }
        }
    }

    /** Logged-in connections of the account now, across services. */
    public int sessionsOf(long accountId) {
        return accounts.count(accountId);
    }

    /** True, and counted, when this client may have one more set of {@code /new} credentials (ACC-4). */
    public boolean newAccountRequest(InetAddress client) {
        return newAccounts.tryAcquire(ClientKey.of(client));
    }

    public HashingPool hashing() {
        return hashing;
    }

    /** Open connections of a service. */
    public int connections(ConnectionService service) {
        return tables.get(service).total();
    }

    /** The configured login deadline, for sessions that set their first read timeouts. */
    public Duration loginTimeout() {
        return settings.loginTimeout();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        hashing.close();
    }
}
