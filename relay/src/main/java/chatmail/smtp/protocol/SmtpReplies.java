package chatmail.smtp.protocol;

import chatmail.policy.Replies;

/**
 * The replies whose code and words are part of the contract (SPEC.md REPLY table, kept once in
 * {@link Replies}), plus the syntax replies the protocol layer itself produces. Callers may add detail with
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
    public static final SmtpReply BARE_LINE_ENDING = SmtpReply.of(Replies.BARE_LINE_ENDING);
    public static final SmtpReply TOO_LARGE = SmtpReply.of(Replies.TOO_LARGE);
    public static final SmtpReply AUTH_CANCELLED = SmtpReply.of(501, "5.7.0", "Authentication cancelled");
    public static final SmtpReply AUTH_UNDECODABLE = SmtpReply.of(501, "5.5.2", "Cannot decode response");

    /** {@code 334 } with an empty challenge: the server waits for the AUTH PLAIN response. */
    public static final SmtpReply AUTH_PLAIN_CONTINUE = SmtpReply.plain(334, "");
    /** AUTH LOGIN first prompt, base64 of {@code Username:}. */
    public static final SmtpReply AUTH_LOGIN_USERNAME = SmtpReply.plain(334, "VXNlcm5hbWU6");
    /** AUTH LOGIN second prompt, base64 of {@code Password:}. */
    public static final SmtpReply AUTH_LOGIN_PASSWORD = SmtpReply.plain(334, "UGFzc3dvcmQ6");

    // --- the REPLY table
    public static final SmtpReply OK = SmtpReply.of(Replies.OK);
    public static final SmtpReply STARTTLS_REQUIRED = SmtpReply.of(Replies.STARTTLS_FIRST);
    public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(Replies.AUTH_REQUIRED);
    public static final SmtpReply ENCRYPTION_REQUIRED_FOR_AUTH = SmtpReply.of(Replies.ENCRYPTION_REQUIRED_FOR_AUTH);
    public static final SmtpReply AUTH_FAILED = SmtpReply.of(Replies.BAD_CREDENTIALS);
    public static final SmtpReply SENDER_NOT_OWNED = SmtpReply.of(Replies.SENDER_NOT_OWNED);
    public static final SmtpReply FROM_MISMATCH = SmtpReply.of(Replies.FROM_MISMATCH);
    public static final SmtpReply UNENCRYPTED = SmtpReply.of(Replies.ENCRYPTION_NEEDED);
    public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(Replies.TOO_MANY_RECIPIENTS);
    public static final SmtpReply NO_SUCH_USER = SmtpReply.of(Replies.NO_SUCH_USER);
    public static final SmtpReply MAILBOX_FULL = SmtpReply.of(Replies.MAILBOX_FULL);
    public static final SmtpReply RELAY_DENIED = SmtpReply.of(Replies.RELAY_DENIED);
    public static final SmtpReply NO_DKIM = SmtpReply.of(Replies.NO_DKIM_SIGNATURE);
    public static final SmtpReply NO_VALID_DKIM = SmtpReply.of(Replies.NO_VALID_DKIM_SIGNATURE);
    public static final SmtpReply AUTH_NOT_ON_THIS_PORT = SmtpReply.of(Replies.AUTH_NOT_AVAILABLE);
    public static final SmtpReply DNS_TEMPFAIL = SmtpReply.of(Replies.DNS_TEMPORARY_FAILURE);
    public static final SmtpReply LOCAL_TEMPFAIL = SmtpReply.of(Replies.LOCAL_FAILURE);
    public static final SmtpReply VRFY = SmtpReply.of(Replies.CANNOT_VRFY);

    /** {@code 450 4.7.1 Too much mail from <addr>}. */
    public static SmtpReply rateLimited(String address) {
        return SmtpReply.of(Replies.tooMuchMailFrom(address));
    }
}
