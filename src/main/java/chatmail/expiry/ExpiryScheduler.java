package chatmail.expiry;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs {@link Expiry} at start-up and then once per interval (daily by default). */
public final class ExpiryScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExpiryScheduler.class);

    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("expiry").factory());

    public ExpiryScheduler(Expiry expiry, Duration interval) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                log.info("expiry: {}", expiry.run(false));
            } catch (RuntimeException e) {
                log.error("expiry run failed; next try in {}", interval, e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
