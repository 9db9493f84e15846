package chatmail.policy;

/** The SMTP rows of the SPEC REPLY table. Clients and tests match the code and these words. */
public final class Replies {
    private Replies() {}

    public static final Reply STARTTLS_FIRST = new Reply(530, "5.7.0", "Must issue a STARTTLS command first");
    public static final Reply AUTH_REQUIRED = new Reply(530, "5.7.0", "Authentication required");
    public static final Reply ENCRYPTION_REQUIRED_FOR_AUTH =
            new Reply(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static final Reply BAD_CREDENTIALS = new Reply(535, "5.7.8", "Authentication credentials invalid");
    public static final Reply SENDER_NOT_OWNED = new Reply(553, "5.7.1", "Sender address not owned by user");
    public static final Reply FROM_MISMATCH = new Reply(550, "5.7.1", "From header does not match sender");
    public static final Reply ENCRYPTION_NEEDED =
            new Reply(523, "5.7.10", "Encryption Needed: Invalid Unencrypted Mail");
    public static final Reply TOO_LARGE = new Reply(552, "5.3.4", "Message exceeds maximum size");
    /**
     * SEC-4 caps (docs/decisions.md): a message the relay will not parse is refused like one
     * that is too large, with the same permanent code and its own words.
     */
    public static final Reply HEADER_TOO_LARGE = new Reply(552, "5.3.4", "Message header too large");
    public static final Reply MIME_TOO_DEEP = new Reply(552, "5.3.4", "MIME nesting too deep");
    public static final Reply TOO_MANY_RECIPIENTS = new Reply(452, "4.5.3", "Too many recipients");
    public static final Reply NO_SUCH_USER = new Reply(550, "5.1.1", "No such user");
    public static final Reply MAILBOX_FULL = new Reply(552, "5.2.2", "Mailbox full");
    public static final Reply RELAY_DENIED = new Reply(554, "5.7.1", "Relay access denied");
    public static final Reply NO_DKIM_SIGNATURE = new Reply(554, "5.7.1", "No DKIM signature found");
    public static final Reply NO_VALID_DKIM_SIGNATURE = new Reply(554, "5.7.1", "No valid DKIM signature found");
    public static final Reply BARE_LINE_ENDING = new Reply(521, "5.5.2", "Bare <LF> or <CR> received");
    public static final Reply AUTH_NOT_AVAILABLE = new Reply(503, "5.5.1", "AUTH not available on this port");
    public static final Reply DNS_TEMPORARY_FAILURE = new Reply(451, "4.4.3", "Temporary DNS failure, try again later");
    public static final Reply LOCAL_FAILURE = new Reply(451, "4.3.0", "Temporary local problem, try again later");
    public static final Reply CANNOT_VRFY = new Reply(252, "2.0.0", "Cannot VRFY user, but will accept message");
    public static final Reply OK = new Reply(250, "2.0.0", "Ok");

    /** {@code 450 4.7.1 Too much mail from <addr>}. */
    public static Reply tooMuchMailFrom(String address) {
        return new Reply(450, "4.7.1", "Too much mail from <" + address + ">");
    }
}
