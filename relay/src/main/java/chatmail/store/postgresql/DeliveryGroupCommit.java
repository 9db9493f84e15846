package chatmail.store.postgresql;

import chatmail.store.MailboxEvents.MailboxEvent;
import chatmail.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliveries of one node that share a PostgreSQL transaction (issue 16: one node on PostgreSQL
 * was at 0.41 of one on SQLite, PostgreSQL spending most of its CPU per commit). One thread takes
 * every delivery waiting, runs them one after the other in one transaction and commits once, as
 * the SQLite store's writer does: while one commit waits for its WAL flush, the next deliveries
 * queue up and share the next one. A single waiting delivery runs alone, as before.
 *
 * <p>A batch first locks all its target mailboxes in id order, so two nodes' batches (or a batch
 * and another transaction that locks several mailboxes in order) cannot deadlock. A delivery
 * that fails (its mailbox deleted meanwhile, a broken body) aborts the transaction: it alone is
 * answered with its failure and the others run again without it, so no delivery is committed
 * twice and none is lost with another's failure. After the commit the events of the batch are
 * published in commit order, to this node's listeners and then to {@code afterCommit}, before
 * any caller returns (as IMAP relies on: a session that saw its APPEND succeed knows the others
 * were told).
 */
final class DeliveryGroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryGroupCommit.class);
    /** The most deliveries in one transaction: enough to share a commit, short enough to hold locks briefly. */
    static final int MAX_BATCH = 64;

    /** One delivery's statements; it may run more than once (when its batch is retried). */
    @FunctionalInterface
    interface Delivery<T> {
        T run(PgTx tx) throws SQLException, IOException;
    }

    private record Request<T>(Delivery<T> work, long[] mailboxes, CompletableFuture<T> result) {}

    private final PostgresDatabase db;
    private final Consumer<MailboxEvent> publish;
    private final Consumer<List<MailboxEvent>> afterCommit;
    private final LinkedBlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
    private final Object lifecycle = new Object();
    private Thread thread;
    private boolean closed;

    DeliveryGroupCommit(PostgresDatabase db, Consumer<MailboxEvent> publish, Consumer<List<MailboxEvent>> afterCommit) {
        this.db = db;
        this.publish = publish;
        this.afterCommit = afterCommit;
    }

    /**
     * Runs {@code work} in the next shared transaction and returns its result once that committed
     * and its events were published.
     *
     * @param mailboxes the mailboxes the work takes UIDs in (locked before the batch runs)
     */
    <T> T deliver(long[] mailboxes, Delivery<T> work) {
        Request<T> request = new Request<>(work, mailboxes, new CompletableFuture<>());
        synchronized (lifecycle) {
            if (closed) {
                throw new StoreException("store is closed");
            }
            if (thread == null) {
                // Started on the first delivery: a command that only reads never has the thread.
                thread = Thread.ofPlatform().name("store-pg-writer").daemon(true).start(this::loop);
            }
            queue.add(request);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // Not abandoned on an interrupt: the batch may already have committed it.
                    return request.result().get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("storage failure: " + e.getCause().getClass().getSimpleName(), e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Deliveries queued for the next batch (tests). */
    int waiting() {
        return queue.size();
    }

    /**
     * Whether the caller is this writer's thread (an event listener of a delivery): it must not
     * wait for a batch it is running itself, so its delivery takes a transaction of its own.
     */
    boolean onWriterThread() {
        synchronized (lifecycle) {
            return Thread.currentThread() == thread;
        }
    }

    /** Lets the deliveries already queued finish, then stops the thread. */
    @Override
    public void close() {
        Thread running;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            running = thread;
            if (running != null) {
                queue.add(new Request<>(tx -> null, new long[0], null));
            }
        }
        if (running != null) {
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        List<Request<?>> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            batch.clear();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                log.error("PostgreSQL delivery writer interrupted; queued deliveries fail");
                failQueued(new StoreException("store writer stopped"));
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean stop = false;
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).result() == null) {
                    stop = true;
                    batch.subList(i, batch.size()).clear();
                    break;
                }
            }
            if (!batch.isEmpty()) {
                runBatch(batch);
            }
            if (stop) {
                failQueued(new StoreException("store is closed"));
                return;
            }
        }
    }

    /** Commits the batch, dropping each delivery that fails on its own until the rest commits. */
    private void runBatch(List<Request<?>> batch) {
        List<Request<?>> pending = new ArrayList<>(batch);
        while (!pending.isEmpty()) {
            List<Object> results = new ArrayList<>(pending.size());
            List<PgTx> txs = new ArrayList<>(pending.size());
            try {
                db.transaction(c -> {
                    results.clear();
                    txs.clear();
                    if (pending.size() > 1) {
                        lockInIdOrder(c, pending);
                    }
                    for (Request<?> request : pending) {
                        PgTx tx = new PgTx(c);
                        results.add(runOne(request, tx));
                        txs.add(tx);
                    }
                    return null;
                });
            } catch (OneFailed failed) {
                failed.request.result().completeExceptionally(failed.answer());
                pending.remove(failed.request);
                continue;
            } catch (RuntimeException | Error e) {
                // The transaction as such failed (PostgreSQL unreachable, a failed commit): every
                // delivery of it is answered with that, none is known committed.
                RuntimeException answer = e instanceof StoreException s ? s
                        : new StoreException("storage failure: " + e.getClass().getSimpleName(), e);
                pending.forEach(r -> r.result().completeExceptionally(answer));
                return;
            }
            List<MailboxEvent> committed = new ArrayList<>();
            txs.forEach(tx -> committed.addAll(tx.events()));
            if (!committed.isEmpty()) {
                committed.forEach(publish);
                try {
                    afterCommit.accept(List.copyOf(committed));
                } catch (RuntimeException e) {
                    log.warn("cross-node notification after a delivery failed: {}", e.toString());
                }
            }
            for (int i = 0; i < pending.size(); i++) {
                complete(pending.get(i), results.get(i));
            }
            return;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Request<T> request, Object result) {
        request.result().complete((T) result);
    }

    /**
     * One delivery inside the batch's transaction. What the transaction should retry as a whole
     * (a deadlock, a serialization failure, a lost connection) goes on as it is; any other failure
     * is this delivery's alone.
     */
    private static Object runOne(Request<?> request, PgTx tx) throws SQLException {
        try {
            return request.work().run(tx);
        } catch (SQLException e) {
            if (PostgresDatabase.retryable(e) || PostgresDatabase.connectionLost(e)) {
                throw e;
            }
            throw new OneFailed(request, PostgresDatabase.failure(e));
        } catch (IOException e) {
            throw new OneFailed(request, PostgresDatabase.failure(e));
        } catch (RuntimeException e) {
            throw new OneFailed(request, e);
        }
    }

    private static void lockInIdOrder(Connection c, List<Request<?>> pending) throws SQLException {
        TreeSet<Long> ids = new TreeSet<>();
        for (Request<?> request : pending) {
            for (long id : request.mailboxes()) {
                ids.add(id);
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM mailboxes WHERE id = ANY(?) ORDER BY id FOR UPDATE")) {
            s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    // Locked; a mailbox that is gone fails its own delivery below.
                }
            }
        }
    }

    private void failQueued(StoreException failure) {
        Request<?> request;
        while ((request = queue.poll()) != null) {
            if (request.result() != null) {
                request.result().completeExceptionally(failure);
            }
        }
    }

    /** One delivery of a batch failed by itself; the transaction is rolled back and runs again without it. */
    private static final class OneFailed extends RuntimeException {
        final transient Request<?> request;

        OneFailed(Request<?> request, RuntimeException answer) {
            super(answer.getMessage(), answer, false, false);
            this.request = request;
        }

        RuntimeException answer() {
            return (RuntimeException) getCause();
        }
    }
}
