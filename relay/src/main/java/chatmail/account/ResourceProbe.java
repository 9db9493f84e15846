package chatmail.account;

/**
 * What the machine has left, for the account-creation guard (SPEC ACC-5).
 * Injectable so tests decide; a busy 2-core test machine often has a load above 5.
 */
public interface ResourceProbe {

    Resources current();

    record Resources(double load1m, long availableMemoryBytes, long freeDiskBytes) {}

    /** Reports plenty of everything; for test relays unless a test says otherwise. */
    static ResourceProbe ample() {
        return () -> new Resources(0.0, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2);
    }
}
