package chatmail.policy;

/** What the encryption classifier found; {@link EncryptionPolicy} maps it and a {@link Direction} to a verdict. */
public enum MessageKind {
    /** ENC-1 OpenPGP/MIME message whose armor carries no header lines. */
    ENCRYPTED,
    /** ENC-1 message whose armor carries a {@code Version:} header: tolerated only incoming. */
    ENCRYPTED_WITH_ARMOR_VERSION,
    /** ENC-2 Secure-Join vc-request / vg-request. */
    SECURE_JOIN_REQUEST,
    /** SMTP-9 cleartext bounce: Auto-Submitted, From mailer-daemon, multipart/report. */
    MAILER_DAEMON_REPORT,
    /** Anything else, including malformed or truncated structures. */
    CLEARTEXT
}
