package chatmail.metrics;

/** The {@code service} label of {@code chatmail_logins_total}. */
public enum LoginService {
    IMAP, SMTP;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
