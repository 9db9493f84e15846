package chatmail.store.sqlite;

import chatmail.store.StoreException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few platform threads, each with its own read-only connection, serving reads. Each read
 * runs in its own transaction, so it sees one consistent snapshot (WAL) however many queries
 * it makes, and never waits for the writer.
 */
final class ReaderPool {
    private static final Logger log = LoggerFactory.getLogger(ReaderPool.class);
    private static final ReadTask<Void> STOP = new ReadTask<>(statements -> null, new CompletableFuture<>());

    private final LinkedBlockingQueue<ReadTask<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object lifecycle = new Object();
    private boolean closed;

    ReaderPool(List<StatementCache> connections) {
        for (int i = 0; i < connections.size(); i++) {
            StatementCache statements = connections.get(i);
            threads.add(Thread.ofPlatform().name("store-reader-" + i).daemon(true)
                    .unstarted(() -> loop(statements)));
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    <T> CompletableFuture<T> submit(SqlWork<StatementCache, T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        synchronized (lifecycle) {
            if (closed) {
                throw new StoreException("store is closed");
            }
            queue.add(new ReadTask<>(work, result));
        }
        return result;
    }

    /** Finishes the reads already submitted, then stops the threads and closes their connections. */
    void shutdown() throws InterruptedException {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            threads.forEach(thread -> queue.add(STOP));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private void loop(StatementCache statements) {
        try (statements) {
            while (true) {
                ReadTask<?> task = queue.take();
                if (task == STOP) {
                    return;
                }
                task.run(statements);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            log.warn("closing a read connection failed", e);
        }
    }

    private record ReadTask<T>(SqlWork<StatementCache, T> work, CompletableFuture<T> result) {
        void run(StatementCache statements) {
            try {
                statements.execute("BEGIN");
                try {
                    result.complete(work.run(statements));
                } finally {
                    statements.execute("COMMIT");
                }
            } catch (Exception e) {
                result.completeExceptionally(StoreFailures.translate(e));
            }
        }
    }
}
