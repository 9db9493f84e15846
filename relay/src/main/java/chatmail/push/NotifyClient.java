package chatmail.push;

/** Sends one device token to the notification service; {@link HttpNotifyClient} in production. */
@FunctionalInterface
public interface NotifyClient {

    /** Blocks until answered or failed; never throws for network trouble, which is a {@link NotifyOutcome.Failed}. */
    NotifyOutcome notify(String token) throws InterruptedException;
}
