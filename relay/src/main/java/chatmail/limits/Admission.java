package chatmail.limits;

import chatmail.metrics.ConnectionRefusal;
import chatmail.metrics.ConnectionService;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The limits layer's record of one connection (SPEC SEC-3), from {@link ClientLimits#admit}
 * until {@link #close}. The session reports its login here: that ends the login deadline,
 * takes the connection out of the unauthenticated ones (which may be evicted when the service
 * is full) and, for IMAP, counts it against the account's cap.
 */
public final class Admission implements AutoCloseable {

    private final ClientLimits limits;
    private final ConnectionService service;
    private final String clientKey;
    private final ConnectionRefusal refusal;
    private final long deadlineNanos;
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private volatile boolean loginPending = true;
    private volatile Runnable closer = () -> { };
    // Guarded by the service's connection table.
    boolean authenticated;
    boolean released;
    ScheduledFuture<?> watchdog;
    // Guarded by the account table.
    long accountId = -1;
    Runnable endSession;

    Admission(ClientLimits limits, ConnectionService service, String clientKey, ConnectionRefusal refusal,
            long deadlineNanos) {
        this.limits = limits;
        this.service = service;
        this.clientKey = clientKey;
        this.refusal = refusal;
        this.deadlineNanos = deadlineNanos;
    }

    /** A connection that no limit applies to: tests and tools that run a session directly. */
    public static Admission unlimited() {
        Admission a = new Admission(null, ConnectionService.IMAP, "local", null, Long.MAX_VALUE);
        a.loginPending = false;
        return a;
    }

    public ConnectionService service() {
        return service;
    }

    String clientKey() {
        return clientKey;
    }

    /** Why the connection was refused; empty when it was admitted. */
    public Optional<ConnectionRefusal> refusal() {
        return Optional.ofNullable(refusal);
    }

    public boolean admitted() {
        return refusal == null;
    }

    /**
     * How the limits layer ends this connection from outside: when evicted, when the login
     * deadline passed without the session noticing, or when a deleted account was logged in
     * (unless {@link #authenticated} gave a session-specific way). Must not block for long.
     */
    public void closeWith(Runnable closer) {
        this.closer = closer;
    }

    /**
     * The {@link System#nanoTime()} by which the client must log in (port 25: send MAIL), or
     * {@link Long#MAX_VALUE} once it has or when no deadline applies.
     */
    public long loginDeadline() {
        return loginPending ? deadlineNanos : Long.MAX_VALUE;
    }

    /** The login deadline passed; counted once, whoever notices first (the session or the watchdog). */
    public void loginTimedOut() {
        if (loginPending && timedOut.compareAndSet(false, true) && limits != null) {
            limits.refused(service, ConnectionRefusal.LOGIN_TIMEOUT);
        }
    }

    /**
     * The client logged in as {@code accountId}: no deadline and no eviction from now on, and
     * {@code endSession} ends the session when the account is deleted (SEC-9).
     *
     * @return false when the account already holds as many connections of this service as it
     *     may ({@code max_imap_connections_per_account}); the session must then refuse and close
     */
    public boolean authenticated(long accountId, Runnable endSession) {
        if (limits == null) {
            return true;
        }
        if (!limits.accountSessions().register(this, accountId, endSession)) {
            limits.refused(service, ConnectionRefusal.ACCOUNT_CONNECTIONS);
            return false;
        }
        established();
        return true;
    }

    /** Port 25's equivalent of a login, the first MAIL: no deadline and no eviction from now on. */
    public void established() {
        loginPending = false;
        if (limits != null) {
            limits.established(this);
        }
    }

    /**
     * Handed to a server with its own idle timeout (port 443's HTTPS connections): the login
     * deadline no longer applies, but the connection stays evictable.
     */
    public void deadlineOff() {
        loginPending = false;
        if (limits != null) {
            limits.cancelWatchdog(this);
        }
    }

    boolean loginPending() {
        return loginPending;
    }

    /** Ends the connection from outside (eviction, deadline, deleted account); never blocks long. */
    void end() {
        try {
            closer.run();
        } catch (RuntimeException ignored) {
            // closing a broken connection: nothing left to do
        }
    }

    @Override
    public void close() {
        if (limits != null && refusal == null) {
            limits.release(this);
        }
    }
}
