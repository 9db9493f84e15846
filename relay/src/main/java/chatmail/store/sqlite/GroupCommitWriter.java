package chatmail.store.sqlite;

import chatmail.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only thread that writes. It takes every write request waiting in its queue, runs them
 * in one transaction (each inside its own savepoint, so one failing request does not undo the
 * others) and commits once: while one COMMIT waits for its fsync, new requests pile up and
 * share the next one. After the commit it publishes the changes' events and completes the
 * callers' futures; a request that released files has them deleted first, on a thread of their
 * own, so the writer goes on meanwhile.
 *
 * <p>Background requests (the expiry's deletions) never share a transaction with others: one
 * runs, alone, only when no other request is waiting and the WAL is not behind (see
 * {@link WalCheckpointer}), so a delivery waits for at most one of them and never for its
 * commit's larger fsync; one that has waited {@link #BACKGROUND_PATIENCE} runs next anyway, so a
 * busy writer cannot starve them.
 */
final class GroupCommitWriter {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final StatementCache statements;
    private final StoreEventHub events;
    private final int maxBatchSize;
    /** How long a background request waits for a moment without other requests before it runs anyway. */
    static final Duration BACKGROUND_PATIENCE = Duration.ofSeconds(1);
    private static final long HELD_RECHECK_MILLIS = 10;

    private final LinkedBlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
    /** Background requests taken from the queue and not yet run, oldest first (the writer thread's only). */
    private final ArrayDeque<Request<?>> background = new ArrayDeque<>();
    private final ExecutorService unlinker =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("store-unlink").daemon(true).factory());
    private final AtomicLong commits = new AtomicLong();
    private final Thread thread;
    private final Object lifecycle = new Object();
    private boolean closed;

    private final WalCheckpointer checkpointer;
    private final long backgroundPatienceNanos;

    GroupCommitWriter(StatementCache statements, StoreEventHub events, int maxBatchSize, WalCheckpointer checkpointer,
                      Duration backgroundPatience) {
        this.checkpointer = checkpointer;
        this.backgroundPatienceNanos = backgroundPatience.toNanos();
        this.statements = statements;
        this.events = events;
        this.maxBatchSize = maxBatchSize;
        this.thread = Thread.ofPlatform().name("store-writer").daemon(true).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    <T> CompletableFuture<T> submit(SqlWork<WriteTx, T> work) {
        return submit(work, false);
    }

    /** A write that yields to all others: in a transaction of its own, when nothing else waits. */
    <T> CompletableFuture<T> submitBackground(SqlWork<WriteTx, T> work) {
        return submit(work, true);
    }

    private <T> CompletableFuture<T> submit(SqlWork<WriteTx, T> work, boolean inBackground) {
        if (Thread.currentThread() == thread) {
            // An event listener writing would wait for itself until the time-out.
            throw new IllegalStateException("store write from the store's writer thread (an event listener?)");
        }
        Request<T> request = new Request<>(work, new CompletableFuture<>(), inBackground, System.nanoTime());
        synchronized (lifecycle) {
            if (closed) {
                throw new StoreException("store is closed");
            }
            queue.add(request);
        }
        return request.result;
    }

    long commitCount() {
        return commits.get();
    }

    /** Lets every request already submitted finish, then stops the thread. */
    void shutdown() throws InterruptedException {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(Request.STOP);
        }
        thread.join();
        unlinker.shutdown();
        unlinker.awaitTermination(1, TimeUnit.MINUTES);
    }

    private void loop() {
        List<Request<?>> taken = new ArrayList<>(maxBatchSize);
        List<Request<?>> batch = new ArrayList<>(maxBatchSize);
        boolean stopping = false;
        while (!stopping) {
            taken.clear();
            batch.clear();
            try {
                // While the WAL holds background requests back, the writer looks again every few milliseconds.
                Request<?> first = background.isEmpty() ? queue.take()
                        : backgroundHeld() ? queue.poll(HELD_RECHECK_MILLIS, TimeUnit.MILLISECONDS) : queue.poll();
                if (first != null) {
                    taken.add(first);
                    queue.drainTo(taken, maxBatchSize - 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.error("store writer interrupted; pending writes fail");
                failAll(new StoreException("store writer stopped"));
                return;
            }
            for (Request<?> request : taken) {
                if (request == Request.STOP) {
                    stopping = true;
                    break;
                }
                (request.inBackground() ? background : batch).add(request);
            }
            Request<?> oldest = background.peek();
            if (oldest != null && (batch.isEmpty() && !backgroundHeld() || overdue(oldest))) {
                if (!batch.isEmpty()) {
                    run(batch);
                    batch.clear();
                }
                batch.add(background.poll());
            }
            run(batch);
        }
        // Stopping lets every request already submitted finish, the background ones too.
        while (!background.isEmpty()) {
            run(List.of(background.poll()));
        }
    }

    private boolean backgroundHeld() {
        return checkpointer.walBehind() && !overdue(background.peek());
    }

    private boolean overdue(Request<?> request) {
        return System.nanoTime() - request.submitted() >= backgroundPatienceNanos;
    }

    private void run(List<Request<?>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            runBatch(batch);
        } catch (Throwable e) {
            // Keep the only writer alive; the callers of this batch learn of the failure.
            StoreException failure = StoreFailures.translate(e);
            batch.forEach(request -> request.result.completeExceptionally(failure));
            rollbackQuietly();
        }
    }

    private void runBatch(List<Request<?>> batch) {
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        try {
            statements.execute("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            StoreException failure = StoreFailures.translate(e);
            batch.forEach(request -> request.result.completeExceptionally(failure));
            return;
        }
        for (Request<?> request : batch) {
            outcomes.add(runOne(request));
        }
        try {
            statements.execute("COMMIT");
            commits.incrementAndGet();
        } catch (SQLException e) {
            rollbackQuietly();
            StoreException failure = StoreFailures.translate(e);
            batch.forEach(request -> request.result.completeExceptionally(failure));
            return;
        }
        // Listeners hear of a change before its writer's call returns, so a session that saw
        // its own change succeed knows every other session has been told (IMAP relies on it).
        for (Outcome outcome : outcomes) {
            if (outcome.tx != null) {
                outcome.tx.events().forEach(events::publish);
            }
        }
        for (Outcome outcome : outcomes) {
            if (outcome.tx == null || outcome.tx.filesToDelete().isEmpty()) {
                outcome.complete();
            } else {
                // The caller's call returns once its files are gone, but the writer does not wait for that.
                unlinker.execute(() -> {
                    deleteFiles(outcome.tx.filesToDelete());
                    outcome.complete();
                });
            }
        }
        if (queue.isEmpty() && checkpointer.restartDue()) {
            // After the callers have their answers, and only when no request waits: a request
            // that arrives meanwhile waits for it.
            try (java.sql.ResultSet result = statements.get("PRAGMA wal_checkpoint(PASSIVE)").executeQuery()) {
                result.next();
                checkpointer.writerCheckpointed(result.getLong(2), result.getLong(3));
            } catch (SQLException e) {
                log.debug("WAL checkpoint on the writer failed: {}", e.getMessage());
            }
        }
    }

    private Outcome runOne(Request<?> request) {
        WriteTx tx = new WriteTx(statements);
        try {
            statements.execute("SAVEPOINT request");
            Object value = request.work.run(tx);
            statements.execute("RELEASE request");
            return new Outcome(request, tx, value, null);
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                statements.execute("ROLLBACK TO request");
                statements.execute("RELEASE request");
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            return new Outcome(request, null, null, StoreFailures.translate(e));
        }
    }

    private void rollbackQuietly() {
        try {
            statements.execute("ROLLBACK");
        } catch (SQLException e) {
            log.debug("rollback after failed commit failed too", e);
        }
    }

    private static void deleteFiles(List<Path> files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // An orphan costs only space; start-up cleaning removes it.
                log.warn("could not delete released body file {}", file.getFileName(), e);
            }
        }
    }

    private void failAll(StoreException failure) {
        Request<?> request;
        while ((request = queue.poll()) != null || (request = background.poll()) != null) {
            request.result.completeExceptionally(failure);
        }
    }

    private record Outcome(Request<?> request, WriteTx tx, Object value, StoreException failure) {
        @SuppressWarnings("unchecked")
        void complete() {
            CompletableFuture<Object> result = (CompletableFuture<Object>) request.result;
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        }
    }

    private record Request<T>(SqlWork<WriteTx, T> work, CompletableFuture<T> result, boolean inBackground,
                              long submitted) {
        static final Request<Void> STOP = new Request<>(tx -> null, new CompletableFuture<>(), false, 0);
    }
}
