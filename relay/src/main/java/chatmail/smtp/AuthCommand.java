package chatmail.smtp;

import chatmail.metrics.LoginService;
import chatmail.smtp.protocol.SaslDecoder;
import chatmail.smtp.protocol.SmtpCommand;
import chatmail.smtp.protocol.SmtpLine;
import chatmail.smtp.protocol.SmtpReplies;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.store.Account;
import chatmail.store.StoreException;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTH PLAIN and AUTH LOGIN on the submission ports (SMTP-1): only after TLS, only outside a
 * mail transaction, once per connection. Every login decision of an SMTP session is here.
 */
final class AuthCommand {

    private static final Logger log = LoggerFactory.getLogger(AuthCommand.class);

    private static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");
    private static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1", "Already authenticated");
    private static final SmtpReply UNSUPPORTED_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication mechanism");
    private static final SmtpReply AUTH_ONLY_BEFORE_MAIL = SmtpReply.of(503, "5.5.1", "AUTH not allowed during a mail transaction");

    private AuthCommand() {}

    /** Handles one AUTH command; false when the session ends. */
    static boolean run(SmtpSession s, SmtpCommand.Auth auth) throws IOException {
        if (!s.port().isSubmission()) {
            return s.reply(SmtpReplies.AUTH_NOT_ON_THIS_PORT);
        }
        if (!s.greeted()) {
            return s.reply(SmtpSession.SEND_HELO_FIRST);
        }
        if (!s.transport().isTls()) {
            return s.reply(SmtpReplies.ENCRYPTION_REQUIRED_FOR_AUTH);
        }
        if (s.authenticated() != null) {
            return s.reply(ALREADY_AUTHENTICATED);
        }
        if (s.transaction().active()) {
            return s.reply(AUTH_ONLY_BEFORE_MAIL);
        }
        String user;
        String password;
        switch (auth.mechanism()) {
            case "PLAIN" -> {
                String response = auth.initialResponse().isPresent()
                        ? auth.initialResponse().get()
                        : challenge(s, SmtpReplies.AUTH_PLAIN_CONTINUE);
                if (response == null) return false;
                switch (SaslDecoder.decodePlain(response)) {
                    case SaslDecoder.PlainCredentials c -> {
                        if (!c.authzid().isEmpty() && !c.authzid().equals(c.authcid())) {
                            return loginFailed(s);
                        }
                        user = c.authcid();
                        password = c.password();
                    }
                    case SaslDecoder.Failure f -> {
                        return s.reply(f.reply());
                    }
                    default -> {
                        return s.reply(SmtpReplies.AUTH_FAILED);
                    }
                }
            }
            case "LOGIN" -> {
                String u = auth.initialResponse().isPresent()
                        ? auth.initialResponse().get()
                        : challenge(s, SmtpReplies.AUTH_LOGIN_USERNAME);
                if (u == null) return false;
                if (!(SaslDecoder.decodeLogin(u) instanceof SaslDecoder.LoginValue(String decodedUser))) {
                    return s.reply(failureOf(SaslDecoder.decodeLogin(u)));
                }
                String p = challenge(s, SmtpReplies.AUTH_LOGIN_PASSWORD);
                if (p == null) return false;
                if (!(SaslDecoder.decodeLogin(p) instanceof SaslDecoder.LoginValue(String decodedPassword))) {
                    return s.reply(failureOf(SaslDecoder.decodeLogin(p)));
                }
                user = decodedUser;
                password = decodedPassword;
            }
            default -> {
                return s.reply(UNSUPPORTED_MECHANISM);
            }
        }
        Optional<Account> account;
        try {
            account = s.services().accounts().login(LoginService.SMTP, user, password, s.transport().peer());
        } catch (StoreException e) {
            // Not the client's fault: a 535 would make Delta Chat ask the user for a new password.
            log.error("login check failed", e);
            return s.reply(SmtpReplies.LOCAL_TEMPFAIL);
        }
        if (account.isEmpty()) {
            return loginFailed(s);
        }
        // SEC-3/SEC-9: no login deadline from now on; deleting the account ends this session.
        s.transport().admission().authenticated(account.get().id(), s.transport()::abort);
        s.authenticated(account.get());
        return s.reply(AUTH_OK);
    }

    private static SmtpReply failureOf(SaslDecoder.Result r) {
        return r instanceof SaslDecoder.Failure(SmtpReply reply) ? reply : SmtpReplies.AUTH_FAILED;
    }

    private static boolean loginFailed(SmtpSession s) throws IOException {
        // SEC-3: counted with IMAP's failures; past the free ones the answer waits.
        s.services().limits().loginFailed(s.transport().peer());
        return s.reply(SmtpReplies.AUTH_FAILED);
    }

    /** Sends a SASL challenge and reads the client's answer line; null when the connection ends. */
    private static String challenge(SmtpSession s, SmtpReply prompt) throws IOException {
        s.writer().sendNow(prompt);
        // A client typing credentials is waited for by no stop: nothing is committed before login.
        s.awaitingClient();
        SmtpLine line = s.reader().readLine();
        if (!s.commandStarts()) {
            return null;
        }
        if (line instanceof SmtpLine.Complete c) {
            return c.text();
        }
        if (line instanceof SmtpLine.BareLineEnding) {
            s.writer().sendNow(SmtpReplies.BARE_LINE_ENDING);
        }
        return null;
    }
}
