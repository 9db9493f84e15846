package chatmail.metrics;

/** Why a message was refused: the {@code reason} label values of OPS-3, exactly. */
public enum Refusal {
    NOT_ENCRYPTED, NO_DKIM, DKIM_INVALID, SENDER_MISMATCH, RATE_LIMIT, TOO_LARGE, TOO_MANY_RECIPIENTS,
    QUOTA, UNKNOWN_USER, RELAY_DENIED, SMUGGLING, TEMP_DNS, TEMP_LOCAL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
