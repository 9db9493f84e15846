package chatmail.expiry;

import chatmail.net.StopGrace;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Expiry} at start-up and then once per interval (daily by default). The first
 * run can be awaited ({@link #firstRun()}) and every run is handed to a listener, so callers
 * and tests observe runs instead of guessing when they happened.
 */
public final class ExpiryScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExpiryScheduler.class);

    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("expiry").factory());
    private final CompletableFuture<ExpiryReport> firstRun = new CompletableFuture<>();
    private final ExpiryStop stop = new ExpiryStop();

    public ExpiryScheduler(Expiry expiry, Duration interval) {
        this(expiry, interval, report -> { });
    }

    /** @param onRun called after every successful run, on the scheduler's thread */
    public ExpiryScheduler(Expiry expiry, Duration interval, Consumer<ExpiryReport> onRun) {
        this(expiry, interval, () -> true, onRun);
    }

    /**
     * @param myTurn asked before each run; false skips it (another node of a cluster runs
     *     expiry this time, SCALE-2)
     */
    public ExpiryScheduler(Expiry expiry, Duration interval, java.util.function.BooleanSupplier myTurn,
                           Consumer<ExpiryReport> onRun) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("expiry interval must be positive: " + interval);
        }
        executor.scheduleWithFixedDelay(() -> {
            try {
                if (!myTurn.getAsBoolean()) {
                    log.info("expiry: another node runs it this time");
                    return;
                }
                long started = System.nanoTime();
                ExpiryReport report = expiry.run(false, stop);
                log.info("expiry: {} in {} ms", report, (System.nanoTime() - started) / 1_000_000);
                // The listener first: whoever awaits the first run then sees what it recorded.
                onRun.accept(report);
                firstRun.complete(report);
            } catch (Expiry.ExpiryInterrupted e) {
                log.info("expiry stopped with the relay; the next run goes on where it stopped");
                firstRun.completeExceptionally(e);
            } catch (RuntimeException e) {
                // Caught so the schedule survives: an exception would cancel all later runs.
                log.error("expiry run failed; next try in {}", interval, e);
                firstRun.completeExceptionally(e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes with the report of the run made at start-up, or with its failure. */
    public CompletableFuture<ExpiryReport> firstRun() {
        return firstRun.copy();
    }

    /**
     * The first step of a relay's stop, which returns at once: no run starts any more, and one in
     * progress ends after its current store call (a page read or one yielding write), while the
     * relay's other parts stop beside it.
     */
    public void stop() {
        stop.request();
        executor.shutdown();
    }

    /**
     * Stops (if not yet) and waits for a run in progress to end; after {@link StopGrace#DURATION}
     * it is interrupted, which fails its current store call (the store still completes the write
     * it has taken, and closes after this). Not the run's end: a big day's expiry takes ten minutes
     * or more, and systemd's stop would kill the relay first (docs/decisions.md, "Expiry").
     */
    @Override
    public void close() {
        stop();
        try {
            if (!executor.awaitTermination(StopGrace.DURATION.toNanos(), TimeUnit.NANOSECONDS)) {
                log.warn("expiry: its store call did not end within {} s of the stop; interrupting it",
                        StopGrace.DURATION.toSeconds());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
