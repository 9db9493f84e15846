package chatmail.expiry;

/** What one expiry run removed, or with a dry run, would remove. */
public record ExpiryReport(boolean dryRun, int oldMessages, int largeSeenMessages, long bytes, int inactiveAccounts,
        int expiredDeviceTokens) {

    @Override
    public String toString() {
        return (dryRun ? "would delete " : "deleted ")
                + oldMessages + " messages older than the retention, "
                + largeSeenMessages + " large seen messages, "
                + bytes + " bytes in all, "
                + inactiveAccounts + " inactive accounts and "
                + expiredDeviceTokens + " expired device tokens";
    }
}
