package chatmail.imap;

/** What the server advertises in each state (SPEC IMAP-3); each is implemented in full. */
final class Capabilities {
    static final String BEFORE_TLS = "IMAP4rev1 STARTTLS LOGINDISABLED ID";
    static final String BEFORE_LOGIN = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN";
    static final String AFTER_LOGIN = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MOVE CONDSTORE"
            + " SPECIAL-USE METADATA QUOTA XCHATMAIL XDELTAPUSH";
    static final String COMPRESS = " COMPRESS=DEFLATE";

    private Capabilities() {}

    /**
     * @param compressOffered {@code imap_compress} is on and the stream is not compressed yet
     */
    static String of(boolean tls, boolean authenticated, boolean compressOffered) {
        if (!tls) {
            return BEFORE_TLS;
        }
        if (!authenticated) {
            return BEFORE_LOGIN;
        }
        return compressOffered ? AFTER_LOGIN + COMPRESS : AFTER_LOGIN;
    }
}
