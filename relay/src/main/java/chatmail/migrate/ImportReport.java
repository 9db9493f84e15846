package chatmail.migrate;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What an import did, counted as it goes (several accounts are imported at once) and printed at
 * the end. Damaged items are listed by their path in the source tree: the operator has to find
 * them, and this is the output of a command the operator runs, not a log of the relay.
 */
public final class ImportReport {
    private static final int MAX_LISTED = 200;

    final AtomicLong accountsSeen = new AtomicLong();
    final AtomicLong accountsImported = new AtomicLong();
    final AtomicLong accountsPresent = new AtomicLong();
    final AtomicLong accountsConflicting = new AtomicLong();
    final AtomicLong mailboxes = new AtomicLong();
    final AtomicLong mailboxesConflicting = new AtomicLong();
    final AtomicLong messagesImported = new AtomicLong();
    final AtomicLong messagesPresent = new AtomicLong();
    final AtomicLong bytesImported = new AtomicLong();
    final AtomicLong filesWithoutUid = new AtomicLong();
    final AtomicLong tokensImported = new AtomicLong();
    final AtomicLong tokensExpired = new AtomicLong();
    private final AtomicLong damaged = new AtomicLong();
    private final List<String> listed = new ArrayList<>();

    /** An item that could not be imported (or only in part), and why. */
    void damaged(String where, String why) {
        damaged.incrementAndGet();
        synchronized (listed) {
            if (listed.size() < MAX_LISTED) {
                listed.add(MaildirFolder.printable(where) + ": " + why);
            }
        }
    }

    public long accountsImported() {
        return accountsImported.get();
    }

    public long accountsPresent() {
        return accountsPresent.get();
    }

    public long messagesImported() {
        return messagesImported.get();
    }

    public long messagesPresent() {
        return messagesPresent.get();
    }

    public long tokensImported() {
        return tokensImported.get();
    }

    public long damagedCount() {
        return damaged.get();
    }

    public List<String> damagedItems() {
        synchronized (listed) {
            return List.copyOf(listed);
        }
    }

    /** Skipped accounts and mailboxes count as damaged for the exit code: something was left behind. */
    public boolean complete() {
        return damaged.get() == 0 && accountsConflicting.get() == 0 && mailboxesConflicting.get() == 0;
    }

    void print(PrintWriter out, boolean dryRun, Duration took) {
        String verb = dryRun ? "would import" : "imported";
        double seconds = Math.max(took.toMillis(), 1) / 1000.0;
        out.printf(Locale.ROOT, "import-reference: %s in %.1f s%s%n", dryRun ? "dry run done" : "done", seconds,
                dryRun ? " (nothing written)" : "");
        out.printf(Locale.ROOT, "  accounts:      %d %s, %d already here, %d skipped (here with another password)%n",
                accountsImported.get(), verb, accountsPresent.get(), accountsConflicting.get());
        out.printf(Locale.ROOT, "  mailboxes:     %d, %d skipped (here with another UIDVALIDITY)%n",
                mailboxes.get(), mailboxesConflicting.get());
        out.printf(Locale.ROOT, "  messages:      %d %s (%s), %d already here%n", messagesImported.get(), verb,
                bytes(bytesImported.get()), messagesPresent.get());
        if (filesWithoutUid.get() > 0) {
            out.printf(Locale.ROOT, "                 %d message files had no UID in dovecot-uidlist and got new ones"
                    + " (do not start Dovecot on this tree again before the switch-over)%n", filesWithoutUid.get());
        }
        out.printf(Locale.ROOT, "  device tokens: %d %s, %d expired (left out)%n", tokensImported.get(), verb,
                tokensExpired.get());
        out.printf(Locale.ROOT, "  speed:         %.0f accounts/s, %.0f messages/s%n",
                accountsSeen.get() / seconds, (messagesImported.get() + messagesPresent.get()) / seconds);
        if (damaged.get() > 0) {
            out.printf(Locale.ROOT, "  damaged, skipped: %d%n", damaged.get());
            for (String item : damagedItems()) {
                out.println("    " + item);
            }
            if (damaged.get() > MAX_LISTED) {
                out.printf(Locale.ROOT, "    … and %d more%n", damaged.get() - MAX_LISTED);
            }
        }
        out.flush();
    }

    private static String bytes(long n) {
        if (n < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / 1073741824.0);
    }
}
