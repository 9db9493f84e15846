package chatmail.bench;

import java.time.Duration;
import java.util.Optional;

/** A running relay the bench measures: ours or the Postfix + Dovecot baseline. */
public interface ServerUnderTest extends AutoCloseable {

    BenchTarget target();

    /** From starting the process(es) to the first accepted submission connection. */
    Duration startup();

    /** Memory of the whole server (all its processes). */
    ProcessMemory memory();

    /** Live heap after a full GC, in bytes; empty where there is no such thing. */
    Optional<Long> liveHeap();

    /** Memory of the part that holds IMAP connections (all of it for ours, Dovecot for the baseline). */
    ProcessMemory imapMemory();

    /** Which fsync settings make its 250 and its deliveries durable, for the report. */
    String durability();

    /** What a reader of the results must know about this side; empty when nothing. */
    default String notes() {
        return "";
    }

    /** How arrivals are watched when the server has no IMAP (in-process relays only). */
    default Optional<DeliveryWatch> storeWatch() {
        return Optional.empty();
    }

    @Override
    void close();
}
