package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.ImapReader;
import chatmail.metrics.LoginService;
import chatmail.store.Account;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * LOGIN and AUTHENTICATE PLAIN (with SASL-IR). The first login of a new valid address creates
 * the account (ACC-1); every failure answers the same, past a few failures per client after
 * SEC-3's delay, and a right password never waits for it.
 */
final class LoginCommand {
    static final String FAILED = "[AUTHENTICATIONFAILED] Authentication failed.";
    static final String TOO_MANY_FOR_ACCOUNT = "Too many connections for this account.";
    private static final String PLAINTEXT_REFUSED =
            "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.";

    private LoginCommand() {}

    static Result login(ImapSession s, ImapCommand.Login login) throws IOException {
        if (!s.transport().isTls()) {
            return Result.no(PLAINTEXT_REFUSED);
        }
        return check(s, login.user(), login.password());
    }

    static Result authenticate(ImapSession s, ImapCommand.Authenticate auth) throws IOException {
        if (!s.transport().isTls()) {
            return Result.no(PLAINTEXT_REFUSED);
        }
        if (!auth.mechanism().equals("PLAIN")) {
            return Result.no("Unsupported authentication mechanism.");
        }
        String response = auth.initialResponse();
        if (response == null) {
            s.out().continuation("");
            ImapReader.Input line = s.reader().readLine();
            if (!(line instanceof ImapReader.Command c)) {
                return Result.bad("Invalid authentication response.");
            }
            response = new String(c.bytes(), StandardCharsets.US_ASCII).trim();
            if (response.equals("*")) {
                return Result.bad("Authentication aborted by client.");
            }
        }
        byte[] decoded;
        try {
            decoded = response.equals("=") ? new byte[0] : Base64.getDecoder().decode(response);
        } catch (IllegalArgumentException e) {
            return Result.bad("Invalid base64 data in continued response.");
        }
        // authzid NUL authcid NUL password (RFC 4616)
        String[] parts = new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
        if (parts.length != 3 || (!parts[0].isEmpty() && !parts[0].equals(parts[1]))) {
            return failed(s);
        }
        return check(s, parts[1], parts[2]);
    }

    private static Result check(ImapSession s, String user, String password) throws IOException {
        ImapServices services = s.services();
        Optional<Account> account = services.accounts().login(LoginService.IMAP, user, password, s.transport().peer());
        if (account.isEmpty()) {
            return failed(s);
        }
        // SEC-3: max_imap_connections_per_account; SEC-9: deleting the account ends this session.
        if (!s.transport().admission().authenticated(account.get().id(), s::endForDeletedAccount)) {
            s.out().untagged("BYE " + TOO_MANY_FOR_ACCOUNT);
            return Result.noThenClose("[LIMIT] " + TOO_MANY_FOR_ACCOUNT);
        }
        s.loggedIn(account.get());
        return Result.ok("[CAPABILITY " + s.capabilities() + "] Logged in");
    }

    private static Result failed(ImapSession s) {
        s.services().clientLimits().loginFailed(s.transport().peer());
        return Result.no(FAILED);
    }
}
