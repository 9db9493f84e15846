package chatmail.delivery.outbound;

/**
 * Where bounces of outbound mail go: the sender is always a local user (only submission queues
 * remote mail), so the relay's wiring delivers the DSN into that user's INBOX.
 */
@FunctionalInterface
public interface BounceSink {

    /**
     * @param sender the local address that receives the bounce
     * @param dsn an RFC 3464 report, already DKIM-signed
     */
    void deliver(String sender, byte[] dsn) throws Exception;
}
