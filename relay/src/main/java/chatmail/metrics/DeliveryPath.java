package chatmail.metrics;

/** How a delivered message came in: the {@code path} label of OPS-3. */
public enum DeliveryPath {
    SUBMISSION, MX, MXDELIV;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
