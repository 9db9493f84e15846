package chatmail.turn;

import chatmail.turn.protocol.Attribute;
import chatmail.turn.protocol.MessageIntegrity;
import chatmail.turn.protocol.StunAttribute;
import chatmail.turn.protocol.StunFormatException;
import chatmail.turn.protocol.StunMessage;
import chatmail.turn.protocol.Values;
import java.net.InetAddress;

/**
 * The long-term credential mechanism (RFC 8489 section 9.2) with REST user names (SPEC TURN-1):
 * a request without MESSAGE-INTEGRITY is challenged (401 with REALM and NONCE), one with an aged
 * or foreign nonce gets a fresh one (438), expired credentials, a wrong realm or a wrong
 * password get 401.
 */
final class Authenticator {

    sealed interface Outcome {}

    record Authenticated(String username, byte[] key) implements Outcome {}

    /** The request is answered with {@code response} and goes no further. */
    record Rejected(byte[] response) implements Outcome {}

    private final String realm;
    private final String secret;
    private final Nonces nonces;

    Authenticator(String realm, String secret, Nonces nonces) {
        this.realm = realm;
        this.secret = secret;
        this.nonces = nonces;
    }

    Outcome check(StunMessage request, byte[] raw, InetAddress client, long nowMillis) {
        if (request.integrityOffset() < 0) {
            return challenge(request, Responses.UNAUTHORIZED, client, nowMillis);
        }
        StunAttribute username = request.first(Attribute.USERNAME);
        StunAttribute realmAttribute = request.first(Attribute.REALM);
        StunAttribute nonce = request.first(Attribute.NONCE);
        if (username == null || realmAttribute == null || nonce == null) {
            return new Rejected(Responses.finish(request, Responses.error(request, Responses.BAD_REQUEST, null)));
        }
        String user;
        String nonceText;
        String realmText;
        try {
            user = Values.text(username, 512);
            realmText = Values.text(realmAttribute, 762);
            nonceText = Values.text(nonce, 762);
        } catch (StunFormatException e) {
            return new Rejected(Responses.finish(request, Responses.error(request, Responses.BAD_REQUEST, null)));
        }
        if (!nonces.valid(nonceText, client, nowMillis)) {
            return challenge(request, Responses.STALE_NONCE, client, nowMillis);
        }
        long expiry = RestCredentials.expiry(user);
        if (!realm.equals(realmText) || expiry < 0 || expiry * 1000 <= nowMillis) {
            return challenge(request, Responses.UNAUTHORIZED, client, nowMillis);
        }
        byte[] key = MessageIntegrity.longTermKey(user, realm, RestCredentials.password(secret, user));
        if (!MessageIntegrity.verify(key, raw, 0, request)) {
            return challenge(request, Responses.UNAUTHORIZED, client, nowMillis);
        }
        return new Authenticated(user, key);
    }

    private Outcome challenge(StunMessage request, int code, InetAddress client, long nowMillis) {
        return new Rejected(Responses.finish(request,
                Responses.challenge(request, code, realm, nonces.issue(client, nowMillis))));
    }
}
