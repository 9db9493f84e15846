package chatmail.storage;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/** What {@code chatmail move-to-postgresql} moved: counts only, never an address or a token. */
public final class MoveReport {
    final AtomicLong accounts = new AtomicLong();
    final AtomicLong verifiers = new AtomicLong();
    final AtomicLong metadataValues = new AtomicLong();
    final AtomicLong mailboxes = new AtomicLong();
    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong outboundMessages = new AtomicLong();
    final AtomicLong outboundRecipients = new AtomicLong();
    final AtomicLong pushJobs = new AtomicLong();
    volatile boolean acmeAccount;
    volatile boolean certificate;
    volatile boolean turnSecret;
    volatile boolean creationOff;

    public long accounts() {
        return accounts.get();
    }

    public long messages() {
        return messages.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public long outboundRecipients() {
        return outboundRecipients.get();
    }

    public long pushJobs() {
        return pushJobs.get();
    }

    void print(PrintWriter out, Duration took) {
        out.printf(Locale.ROOT, "move-to-postgresql: done in %.1f s: %d accounts (%d login verifiers, %d metadata values),"
                        + " %d mailboxes, %d messages (%d bytes); outbound queue: %d messages for %d recipients;"
                        + " push queue: %d notifications%n", took.toMillis() / 1000.0, accounts.get(), verifiers.get(),
                metadataValues.get(), mailboxes.get(), messages.get(), bytes.get(), outboundMessages.get(),
                outboundRecipients.get(), pushJobs.get());
        out.printf("move-to-postgresql: ACME account %s, certificate %s, TURN secret %s, account creation %s%n",
                moved(acmeAccount), moved(certificate), moved(turnSecret), creationOff ? "off" : "on");
        out.flush();
    }

    private static String moved(boolean moved) {
        return moved ? "moved" : "none";
    }
}
