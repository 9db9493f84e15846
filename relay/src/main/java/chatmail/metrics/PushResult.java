package chatmail.metrics;

/** The {@code result} label of {@code chatmail_push_total}. */
public enum PushResult {
    SENT, FAILED, DROPPED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
