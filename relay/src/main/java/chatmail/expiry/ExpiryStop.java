package chatmail.expiry;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A relay's stop as a run of {@link Expiry} sees it: asked before each store call, and ending
 * the pause after a write at once, so a stop waits for one store call of the run at most, never
 * for the rest of a run that may take half an hour (docs/decisions.md, "Expiry").
 */
public final class ExpiryStop {

    private final CountDownLatch requested = new CountDownLatch(1);

    /** For runs nobody stops (the operator's {@code chatmail expire}, tests). */
    public static ExpiryStop never() {
        return new ExpiryStop();
    }

    public void request() {
        requested.countDown();
    }

    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Waits {@code pause}, or less when the stop comes meanwhile; true when stopped. */
    boolean pauseUnlessStopped(Duration pause) throws InterruptedException {
        return requested.await(pause.toNanos(), TimeUnit.NANOSECONDS);
    }
}
