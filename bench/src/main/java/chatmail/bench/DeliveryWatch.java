package chatmail.bench;

import java.io.IOException;

/** Tells a {@link DeliveryTracker} when messages arrive in the recipients' mailboxes. */
public interface DeliveryWatch extends AutoCloseable {

    /** Starts watching recipients {@code 0 … tracker.recipients()-1}; returns once all are watched. */
    void start(DeliveryTracker tracker) throws IOException, InterruptedException;

    /** How arrivals are observed, for the report. */
    String description();

    /** Watch connections or subscriptions that broke while watching. */
    long failures();

    @Override
    void close();
}
