package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's order: background requests (the expiry's) yield to every other write and commit alone. */
class GroupCommitWriterTest {

    @TempDir
    Path dir;

    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final Semaphore ranCount = new Semaphore(0);
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private GroupCommitWriter writer;
    private WalCheckpointer checkpointer;

    @AfterEach
    void close() throws Exception {
        writer.shutdown();
        checkpointer.close();
        callers.close();
    }

    private void open(Duration backgroundPatience) throws Exception {
        SqliteDatabase database = new SqliteDatabase(dir, SqliteStoreSettings.defaults());
        checkpointer = new WalCheckpointer(database.openCheckpointer(), Duration.ofHours(1));
        writer = new GroupCommitWriter(new StatementCache(database.openWriter()), new StoreEventHub(), 256, checkpointer,
                backgroundPatience);
        writer.start();
    }

    /** A write that records its name and the commits before it: requests sharing a transaction see the same count. */
    private SqlWork<WriteTx, Void> named(String name) {
        return tx -> {
            ran.add(name + "@" + writer.commitCount());
            ranCount.release();
            return null;
        };
    }

    /** Holds the writer inside a transaction until the returned latch opens. */
    private CountDownLatch holdWriter() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        writer.submit(tx -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void aBackgroundRequestWaitsForTheOthersAndCommitsAlone() throws Exception {
        open(GroupCommitWriter.BACKGROUND_PATIENCE);
        CountDownLatch release = holdWriter();
        CompletableFuture<Void> background = writer.submitBackground(named("background"));
        CompletableFuture<Void> first = writer.submit(named("first"));
        CompletableFuture<Void> second = writer.submit(named("second"));
        long before = writer.commitCount();
        release.countDown();
        CompletableFuture.allOf(background, first, second).get(30, TimeUnit.SECONDS);

        // The held transaction commits first; the two deliveries share the next one, the background request has its own.
        assertThat(ran).containsExactly("first@" + (before + 1), "second@" + (before + 1), "background@" + (before + 2));
        assertThat(writer.commitCount()).isEqualTo(before + 3);
    }

    @Test
    void aBackgroundRequestPastItsPatienceRunsBetweenOtherRequests() throws Exception {
        open(Duration.ZERO);
        CountDownLatch release = holdWriter();
        CompletableFuture<Void> background = writer.submitBackground(named("background"));
        // Each request queues the next while it runs, so the queue is never empty: without patience the background request would wait for all.
        CompletableFuture<Void> chain = writer.submit(queueing("a", queueing("b", queueing("c", named("d")))));
        release.countDown();
        background.get(30, TimeUnit.SECONDS);
        chain.get(30, TimeUnit.SECONDS);
        awaitRan(5);

        // Overdue, it runs right after the transaction taken with it, before the request queued meanwhile.
        assertThat(ran).extracting(s -> s.substring(0, s.indexOf('@')))
                .containsExactly("a", "background", "b", "c", "d");
    }

    @Test
    void withPatienceAQueueThatNeverEmptiesGoesFirst() throws Exception {
        open(Duration.ofDays(1));
        CountDownLatch release = holdWriter();
        CompletableFuture<Void> background = writer.submitBackground(named("background"));
        writer.submit(queueing("a", queueing("b", queueing("c", named("d")))));
        release.countDown();
        background.get(30, TimeUnit.SECONDS);

        assertThat(ran).extracting(s -> s.substring(0, s.indexOf('@')))
                .containsExactly("a", "b", "c", "d", "background");
    }

    @Test
    void releasedFilesAreGoneWhenTheCallReturns() throws Exception {
        open(GroupCommitWriter.BACKGROUND_PATIENCE);
        Path file = Files.writeString(dir.resolve("released"), "body");
        writer.submit(tx -> {
            tx.deleteAfterCommit(file);
            return null;
        }).get(30, TimeUnit.SECONDS);

        assertThat(file).doesNotExist();
    }

    @Test
    void shutdownRunsTheBackgroundRequestsStillWaiting() throws Exception {
        open(Duration.ofDays(1));
        CountDownLatch release = holdWriter();
        CompletableFuture<Void> background = writer.submitBackground(named("background"));
        CompletableFuture<Void> foreground = writer.submit(named("foreground"));
        Future<?> shutdown = callers.submit(() -> {
            writer.shutdown();
            return null;
        });
        // Until the shutdown has queued its stop, writes are still taken (and run before it).
        int accepted = 0;
        while (true) {
            try {
                writer.submit(named("late"));
                accepted++;
            } catch (StoreException refused) {
                break;
            }
        }
        release.countDown();
        shutdown.get(30, TimeUnit.SECONDS);

        assertThat(background).isCompleted();
        assertThat(foreground).isCompleted();
        assertThat(ran).hasSize(2 + accepted).last().asString().startsWith("background@");
    }

    /** Runs as {@code name} and, from another thread, queues {@code next} before it returns. */
    private SqlWork<WriteTx, Void> queueing(String name, SqlWork<WriteTx, Void> next) {
        return tx -> {
            named(name).run(tx);
            try {
                // The writer refuses writes from its own thread; a caller queues it.
                callers.submit(() -> writer.submit(next)).get(30, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException(e);
            }
            return null;
        };
    }

    private void awaitRan(int n) throws InterruptedException {
        assertThat(ranCount.tryAcquire(n, 30, TimeUnit.SECONDS)).isTrue();
    }
}
