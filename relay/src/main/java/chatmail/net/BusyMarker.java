package chatmail.net;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Whether a connection's session is executing a command: from the end of reading it until its
 * reply is flushed. A stop closes a connection that is not at once, and lets one that is finish
 * its command and write the reply first, for up to {@link StopGrace#DURATION}: a DATA or
 * APPEND whose commit completes just as the relay stops is still answered, and the client does
 * not send it again (docs/decisions.md, "The receiving side of a stop, SMTP and IMAP").
 *
 * <p>Only the session's thread calls {@link #begin} and {@link #end}; the stop runs on another.
 */
public final class BusyMarker {

    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;

    // A field and a VarHandle rather than an AtomicInteger: one object less per connection (SEC-3's floods).
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BusyMarker.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = IDLE;
    private final OpenConnections owner;
    private final AutoCloseable connection;

    BusyMarker(OpenConnections owner, AutoCloseable connection) {
        this.owner = owner;
        this.connection = connection;
    }

    /** A marker no stop looks at, for a connection no listener of ours accepted. */
    public static BusyMarker none() {
        return new BusyMarker(OpenConnections.NEVER_STOPPED, () -> { });
    }

    /**
     * The session has read a command and starts executing it. False once the relay is stopping:
     * the session must then end without executing it, since its reply might never be written.
     */
    public boolean begin() {
        if (!STATE.compareAndSet(this, IDLE, BUSY) && state != BUSY) {
            return false;
        }
        // Read after the state is written: a stop that missed BUSY has set stopping before (and this sees it).
        return !owner.stopping();
    }

    /** Every reply is written; the session waits for the client now, and a stop closes the connection. */
    public void end() {
        STATE.compareAndSet(this, BUSY, IDLE);
        if (owner.stopping()) {
            closeIfIdle();
        }
    }

    boolean busy() {
        return state == BUSY;
    }

    boolean closed() {
        return state == CLOSED;
    }

    /** Closes the connection unless its session is executing a command; true when it is closed. */
    boolean closeIfIdle() {
        if (STATE.compareAndSet(this, IDLE, CLOSED)) {
            AcceptLoop.closeQuietly(connection);
            owner.changed();
        }
        return closed();
    }

    void close() {
        if ((int) STATE.getAndSet(this, CLOSED) != CLOSED) {
            AcceptLoop.closeQuietly(connection);
            owner.changed();
        }
    }

    /** The connection ended or is someone else's now; a stop leaves it alone. */
    void released() {
        if ((int) STATE.getAndSet(this, CLOSED) != CLOSED) {
            owner.changed();
        }
    }
}
