package chatmail.imap;

import java.util.concurrent.atomic.AtomicInteger;

/** How many IMAP sessions are in IDLE now, for the metrics (OPS-3). */
public final class IdleSessions {

    private final AtomicInteger idling = new AtomicInteger();

    void started() {
        idling.incrementAndGet();
    }

    void ended() {
        idling.decrementAndGet();
    }

    public int current() {
        return idling.get();
    }
}
