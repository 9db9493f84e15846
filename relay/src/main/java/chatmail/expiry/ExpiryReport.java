package chatmail.expiry;

/** What one expiry run removed, or with a dry run, would remove. */
public record ExpiryReport(boolean dryRun, int oldMessages, int largeSeenMessages, long bytes, int inactiveAccounts) {

    @Override
    public String toString() {
        return (dryRun ? "would delete " : "deleted ")
                + oldMessages + " messages older than the retention, "
                + largeSeenMessages + " large seen messages, "
                + bytes + " bytes in all, and "
                + inactiveAccounts + " inactive accounts";
    }
}
