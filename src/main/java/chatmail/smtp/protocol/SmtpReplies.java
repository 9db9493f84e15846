package chatmail.smtp.protocol;

/**
 * The replies whose code and words are part of the contract (SPEC.md REPLY table), plus the
 * syntax replies the protocol layer itself produces. Callers may add detail with
 * {@link SmtpReply#withDetail(String)}; clients match the code and these words.
 */
public final class SmtpReplies {
    private SmtpReplies() {
    }

    // --- produced by the protocol layer
    public static final SmtpReply SYNTAX_ERROR = SmtpReply.of(500, "5.5.2", "Syntax error, command unrecognized");
    public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Line too long");
    public static final SmtpReply BAD_ARGUMENTS = SmtpReply.of(501, "5.5.4", "Syntax error in parameters or arguments");
    public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Command not implemented");
    public static final SmtpReply UNSUPPORTED_PARAMETER = SmtpReply.of(555, "5.5.4", "Unsupported parameter");
    public static final SmtpReply BARE_LINE_ENDING = SmtpReply.of(521, "5.5.2", "Bare <LF> or <CR> received");
    public static final SmtpReply TOO_LARGE = SmtpReply.of(552, "5.3.4", "Message exceeds maximum size");
    public static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, "5.7.0", "Authentication cancelled");
    public static final SmtpReply AUTH_UNDECODABLE = SmtpReply.of(501, "5.5.2", "Cannot decode response");

    /** {@code 334 } with an empty challenge: the server waits for the AUTH PLAIN response. */
    public static final SmtpReply AUTH_PLAIN_CONTINUE = SmtpReply.plain(334, "");
    /** AUTH LOGIN first prompt, base64 of {@code Username:}. */
    public static final SmtpReply AUTH_LOGIN_USERNAME = SmtpReply.plain(334, "VXNlcm5hbWU6");
    /** AUTH LOGIN second prompt, base64 of {@code Password:}. */
    public static final SmtpReply AUTH_LOGIN_PASSWORD = SmtpReply.plain(334, "UGFzc3dvcmQ6");

    // --- the REPLY table
    public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
    public static final SmtpReply STARTTLS_REQUIRED = SmtpReply.of(530, "5.7.0", "Must issue a STARTTLS command first");
    public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0", "Authentication required");
    public static final SmtpReply ENCRYPTION_REQUIRED_FOR_AUTH =
            SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static final SmtpReply AUTH_FAILED = SmtpReply.of(535, "5.7.8", "Authentication credentials invalid");
    public static final SmtpReply SENDER_NOT_OWNED = SmtpReply.of(553, "5.7.1", "Sender address not owned by user");
    public static final SmtpReply FROM_MISMATCH = SmtpReply.of(550, "5.7.1", "From header does not match sender");
    public static final SmtpReply UNENCRYPTED = SmtpReply.of(523, "5.7.10", "Encryption Needed: Invalid Unencrypted Mail");
    public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Too many recipients");
    public static final SmtpReply NO_SUCH_USER = SmtpReply.of(550, "5.1.1", "No such user");
    public static final SmtpReply MAILBOX_FULL = SmtpReply.of(552, "5.2.2", "Mailbox full");
    public static final SmtpReply RELAY_DENIED = SmtpReply.of(554, "5.7.1", "Relay access denied");
    public static final SmtpReply NO_DKIM = SmtpReply.of(554, "5.7.1", "No DKIM signature found");
    public static final SmtpReply NO_VALID_DKIM = SmtpReply.of(554, "5.7.1", "No valid DKIM signature found");
    public static final SmtpReply AUTH_NOT_ON_THIS_PORT = SmtpReply.of(503, "5.5.1", "AUTH not available on this port");
    public static final SmtpReply DNS_TEMPFAIL = SmtpReply.of(451, "4.4.3", "Temporary DNS failure, try again later");
    public static final SmtpReply LOCAL_TEMPFAIL = SmtpReply.of(451, "4.3.0", "Temporary local problem, try again later");
    public static final SmtpReply VRFY = SmtpReply.of(252, "2.0.0", "Cannot VRFY user, but will accept message");

    /** {@code 450 4.7.1 Too much mail from <addr>}. */
    public static SmtpReply rateLimited(String address) {
        return SmtpReply.of(450, "4.7.1", "Too much mail from " + address);
    }
}
