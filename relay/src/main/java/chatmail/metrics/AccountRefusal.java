package chatmail.metrics;

/** Why a first login did not create an account: the {@code reason} label values of OPS-3. */
public enum AccountRefusal {
    INVALID_NAME, SHORT_PASSWORD, NOCREATE, LOAD, MEMORY, DISK;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
