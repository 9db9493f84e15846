package chatmail.store.postgresql;

import chatmail.store.Mailbox;
import chatmail.store.MailboxEvents.FlagsChanged;
import chatmail.store.MailboxEvents.MailboxEvent;
import chatmail.store.MailboxEvents.MessagesAdded;
import chatmail.store.MailboxEvents.MessagesExpunged;
import chatmail.store.sqlite.StoreEventHub;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mailbox changes between the nodes that share one database (SCALE-2), over LISTEN/NOTIFY.
 *
 * <p>Notifier: committed changes are queued here after their commit and sent from one connection
 * per node, everything waiting in one statement. Never inside the delivery transaction: a NOTIFY
 * in a transaction takes a cluster-wide lock from its commit until the commit is flushed, which
 * would order every delivery of every node behind one another.
 *
 * <p>Listener: one connection per node LISTENs and feeds other nodes' changes into this node's
 * event hub, where IDLE sessions hear them as they hear local ones. A notification carries only
 * account, mailbox and kind (the sessions re-read the mailbox); it is at most a few dozen bytes,
 * far below PostgreSQL's 8000-byte payload limit. When the listener's connection is lost and
 * comes back, notifications sent meanwhile are lost, so every mailbox of every account with a
 * listener on this node is announced as changed and its sessions re-check.
 *
 * <p>A batch the notifier could not send (its connection failed, and the one retry on a new
 * connection too) is lost to the other nodes, whose listeners may have stayed connected. The
 * notifier then owes a re-check: it reconnects every {@link #RECONNECT_DELAY} and its first
 * statement tells every node to re-check all its IDLE sessions, as after a listener's reconnect.
 * So a session on another node misses a change only while this node cannot reach PostgreSQL.
 */
public final class ClusterEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);
    static final String CHANNEL = "chatmail_mailbox";
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(500);
    /** How often an idle listener checks that its connection is alive (a dead peer sends no error). */
    private static final Duration LISTENER_CHECK = Duration.ofSeconds(5);

    private final PostgresDatabase db;
    private final String node;
    private final LinkedBlockingQueue<List<?>> outgoing = new LinkedBlockingQueue<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong recheckRequests = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    /** A batch was dropped: the next statement the notifier sends asks every node to re-check. */
    private boolean recheckOwed;
    private final java.util.concurrent.atomic.AtomicBoolean listenFailing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    private volatile StoreEventHub hub;
    private volatile Function<Long, List<Mailbox>> mailboxesOf;
    private volatile Connection listenConnection;
    private volatile java.util.function.LongConsumer accountDeleted = id -> { };
    private Thread notifier;
    private Thread listener;

    public ClusterEvents(PostgresDatabase db) {
        this.db = db;
        this.node = db.node();
    }

    /** Starts both connections; other nodes' changes go to {@code hub}. */
    public void start(StoreEventHub hub, Function<Long, List<Mailbox>> mailboxesOf) {
        this.hub = hub;
        this.mailboxesOf = mailboxesOf;
        Connection first = connectListener();
        if (first == null) {
            throw new chatmail.store.StoreException("cannot LISTEN on PostgreSQL");
        }
        listenConnection = first;
        Connection notify = connectNotifier();
        notifier = Thread.ofVirtual().name("cluster-notifier").start(() -> sendLoop(notify));
        listener = Thread.ofVirtual().name("cluster-listener").start(this::listenLoop);
    }

    /** Queues committed changes for the other nodes; returns at once. */
    public void send(List<MailboxEvent> events) {
        if (!closed && !events.isEmpty()) {
            outgoing.add(events);
        }
    }

    /** An account was deleted on this node: every other node ends its sessions (SEC-9 across nodes). */
    public void sendAccountDeleted(long accountId) {
        if (!closed) {
            outgoing.add(List.of(new Deleted(accountId)));
        }
    }

    /** What to do when another node deleted an account: end its sessions here. */
    public void onAccountDeleted(java.util.function.LongConsumer handler) {
        this.accountDeleted = handler;
    }

    /** Travels through the notifier's queue like a mailbox change; never reaches an event hub. */
    private record Deleted(long accountId) implements Marker {}

    private sealed interface Marker permits Deleted {}

    /** This node's counts since start, for its metrics: notifications (payloads) sent. */
    public long sent() {
        return sent.get();
    }

    /** Statements that sent notifications (one per batch). */
    public long batches() {
        return batches.get();
    }

    /** Batches dropped after their retry failed too (each one makes the notifier owe a re-check). */
    public long dropped() {
        return dropped.get();
    }

    /** Re-check requests this node sent after dropped batches. */
    public long recheckRequests() {
        return recheckRequests.get();
    }

    /** Notifications heard from other nodes (re-check requests included). */
    public long received() {
        return received.get();
    }

    /** How often the listener reconnected. */
    public long reconnects() {
        return reconnects.get();
    }

    private void sendLoop(Connection initial) {
        Connection connection = initial;
        boolean failing = false;
        // Deletions of a dropped batch: a re-check does not end sessions, so they are sent again.
        List<List<?>> carried = new ArrayList<>();
        while (!closed) {
            List<List<?>> batch = new ArrayList<>(carried);
            int carriedOver = carried.size();
            carried.clear();
            try {
                if (recheckOwed) {
                    // Reconnects at this pace, whether or not anything new waits.
                    Thread.sleep(RECONNECT_DELAY);
                } else {
                    List<?> first = outgoing.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                outgoing.drainTo(batch);
            } catch (InterruptedException e) {
                break;
            }
            List<String> payloads = payloads(batch);
            // One retry on a fresh connection; after that the batch is dropped and a re-check owed.
            boolean done = false;
            for (int attempt = 0; attempt < 2 && !done && !closed; attempt++) {
                try {
                    if (connection == null) {
                        connection = db.dedicatedConnection("notify");
                    }
                    try (PreparedStatement s = connection.prepareStatement(
                            "SELECT pg_notify('" + CHANNEL + "', p) FROM unnest(?::text[]) AS p")) {
                        s.setArray(1, connection.createArrayOf("text", payloads.toArray()));
                        s.execute();
                    }
                    done = true;
                } catch (SQLException e) {
                    if (!failing) {
                        log.warn("cannot notify the other nodes: SQLSTATE {}", e.getSQLState());
                    }
                    closeQuietly(connection);
                    connection = null;
                }
            }
            if (done) {
                sent.addAndGet(payloads.size());
                batches.incrementAndGet();
                if (recheckOwed) {
                    recheckRequests.incrementAndGet();
                    log.info("notifying the other nodes again; asked them to re-check their IDLE sessions");
                }
                recheckOwed = false;
                failing = false;
            } else if (!closed) {
                if (batch.size() > carriedOver) {
                    dropped.incrementAndGet();
                }
                for (List<?> events : batch) {
                    events.stream().filter(Deleted.class::isInstance).forEach(d -> carried.add(List.of(d)));
                }
                if (!failing) {
                    log.warn("dropped {} notification(s) for the other nodes; they re-check their IDLE sessions "
                            + "once this node reaches PostgreSQL again", payloads.size());
                }
                failing = true;
                recheckOwed = true;
            }
        }
        closeQuietly(connection);
    }

    /** The notifier's first connection, made at start so a broken one shows at once. */
    private Connection connectNotifier() {
        try {
            return db.dedicatedConnection("notify");
        } catch (SQLException e) {
            log.warn("cannot connect the notifier to PostgreSQL (SQLSTATE {}); it retries with the first change",
                    e.getSQLState());
            return null;
        }
    }

    /**
     * One payload per distinct change: {@code node kind account mailbox}. With a re-check owed the
     * batch starts with it ({@code node r 0 0}) and its mailbox changes are left out: the re-check
     * covers them. Deleted accounts stay, a re-check does not end sessions.
     */
    private List<String> payloads(List<List<?>> batch) {
        Set<String> distinct = new LinkedHashSet<>();
        if (recheckOwed) {
            distinct.add(node + " r 0 0");
        }
        for (List<?> events : batch) {
            for (Object event : events) {
                if (recheckOwed && !(event instanceof Deleted)) {
                    continue;
                }
                distinct.add(switch (event) {
                    case MessagesAdded e -> node + " a " + e.accountId() + " " + e.mailboxId();
                    case FlagsChanged e -> node + " f " + e.accountId() + " " + e.mailboxId();
                    case MessagesExpunged e -> node + " x " + e.accountId() + " " + e.mailboxId();
                    case Deleted d -> node + " d " + d.accountId() + " 0";
                    default -> throw new IllegalArgumentException("not a cluster event: " + event.getClass());
                });
            }
        }
        return List.copyOf(distinct);
    }

    private void listenLoop() {
        Connection connection = listenConnection;
        long lastCheck = System.nanoTime();
        while (!closed) {
            try {
                if (connection == null) {
                    connection = connectListener();
                    if (connection == null) {
                        Thread.sleep(RECONNECT_DELAY);
                        continue;
                    }
                    listenConnection = connection;
                    reconnects.incrementAndGet();
                    recheckAll();
                }
                PGNotification[] notifications = connection.unwrap(PGConnection.class)
                        .getNotifications((int) LISTENER_CHECK.toMillis());
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        deliver(n.getParameter());
                    }
                }
                if (System.nanoTime() - lastCheck > LISTENER_CHECK.toNanos()) {
                    lastCheck = System.nanoTime();
                    try (Statement s = connection.createStatement()) {
                        s.execute("SELECT 1");
                    }
                }
            } catch (SQLException e) {
                if (!closed) {
                    log.warn("lost the LISTEN connection to PostgreSQL (SQLSTATE {}); reconnecting", e.getSQLState());
                }
                closeQuietly(connection);
                connection = null;
            } catch (InterruptedException e) {
                break;
            }
        }
        closeQuietly(connection);
    }

    private Connection connectListener() {
        Connection c = null;
        try {
            c = db.dedicatedConnection("listen");
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            if (listenFailing.compareAndSet(true, false)) {
                log.info("listening on PostgreSQL again");
            }
            return c;
        } catch (SQLException e) {
            // Once per outage, not per retry.
            if (listenFailing.compareAndSet(false, true)) {
                log.warn("cannot LISTEN on PostgreSQL (SQLSTATE {}); retrying every {} ms", e.getSQLState(),
                        RECONNECT_DELAY.toMillis());
            }
            closeQuietly(c);
            return null;
        }
    }

    private void deliver(String payload) {
        String[] parts = payload.split(" ");
        if (parts.length != 4 || parts[0].equals(node)) {
            return;
        }
        long account;
        long mailbox;
        try {
            account = Long.parseLong(parts[2]);
            mailbox = Long.parseLong(parts[3]);
        } catch (NumberFormatException e) {
            return;
        }
        received.incrementAndGet();
        if (parts[1].equals("r")) {
            recheckAll();
            return;
        }
        if (parts[1].equals("d")) {
            accountDeleted.accept(account);
            return;
        }
        // The UIDs stay behind: a session re-reads its mailbox on any change.
        MailboxEvent event = switch (parts[1]) {
            case "a" -> new MessagesAdded(account, mailbox, List.of());
            case "x" -> new MessagesExpunged(account, mailbox, List.of());
            default -> new FlagsChanged(account, mailbox, List.of());
        };
        hub.publish(event);
    }

    /** After a gap in listening: every local session re-reads its mailbox. */
    private void recheckAll() {
        for (long account : hub.subscribedAccounts()) {
            try {
                for (Mailbox mailbox : mailboxesOf.apply(account)) {
                    hub.publish(new FlagsChanged(account, mailbox.id(), List.of()));
                }
            } catch (RuntimeException e) {
                log.warn("cannot re-check the sessions of an account: {}", e.toString());
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing a cluster connection: SQLSTATE {}", e.getSQLState());
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : new Thread[] {notifier, listener}) {
            if (t != null) {
                t.interrupt();
            }
        }
        // Unblocks a listener waiting in getNotifications.
        closeQuietly(listenConnection);
        for (Thread t : new Thread[] {notifier, listener}) {
            if (t != null) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
