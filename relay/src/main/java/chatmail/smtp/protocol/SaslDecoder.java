package chatmail.smtp.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Decodes SASL client responses for AUTH PLAIN (RFC 4616) and AUTH LOGIN. Pure: checking the
 * credentials is the session's business. The LOGIN prompts are
 * {@link SmtpReplies#AUTH_LOGIN_USERNAME} and {@link SmtpReplies#AUTH_LOGIN_PASSWORD}; a
 * PLAIN without initial response is answered with {@link SmtpReplies#AUTH_PLAIN_CONTINUE}.
 */
public final class SaslDecoder {
    private SaslDecoder() {
    }

    /** The outcome of decoding one client response. */
    public sealed interface Result {
    }

    /** PLAIN credentials; {@code authzid} is empty when the client acts as itself. */
    public record PlainCredentials(String authzid, String authcid, String password) implements Result {
        /** The identity to act as: the authzid if given, else the authcid. */
        public String effectiveIdentity() {
            return authzid.isEmpty() ? authcid : authzid;
        }

        @Override
        public String toString() {
            return "PlainCredentials[authzid=" + authzid + ", authcid=" + authcid + ", password=***]";
        }
    }

    /** One decoded AUTH LOGIN value (the user name or the password). */
    public record LoginValue(String value) implements Result {
        @Override
        public String toString() {
            return "LoginValue[***]";
        }
    }

    /** The client cancelled, or the response is unusable; send {@code reply} and end the AUTH. */
    public record Failure(SmtpReply reply) implements Result {
    }

    /** True for the {@code *} a client sends to cancel an exchange (RFC 4954). */
    public static boolean isCancel(String response) {
        return response.equals("*");
    }

    /**
     * Decodes an AUTH PLAIN response {@code base64(authzid NUL authcid NUL password)}. An
     * initial response of {@code =} stands for an empty one (and so fails).
     */
    public static Result decodePlain(String response) {
        if (isCancel(response)) {
            return new Failure(SmtpReplies.AUTH_CANCELLED);
        }
        String text = decodeBase64Utf8(response);
        if (text == null) {
            return new Failure(SmtpReplies.AUTH_UNDECODABLE);
        }
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (second < 0 || text.indexOf('\0', second + 1) >= 0) {
            return new Failure(SmtpReplies.AUTH_FAILED);
        }
        String authzid = text.substring(0, first);
        String authcid = text.substring(first + 1, second);
        String password = text.substring(second + 1);
        if (authcid.isEmpty() || password.isEmpty()) {
            return new Failure(SmtpReplies.AUTH_FAILED);
        }
        return new PlainCredentials(authzid, authcid, password);
    }

    /** Decodes one AUTH LOGIN response (user name or password). */
    public static Result decodeLogin(String response) {
        if (isCancel(response)) {
            return new Failure(SmtpReplies.AUTH_CANCELLED);
        }
        String text = decodeBase64Utf8(response);
        if (text == null) {
            return new Failure(SmtpReplies.AUTH_UNDECODABLE);
        }
        if (text.isEmpty() || text.indexOf('\0') >= 0) {
            return new Failure(SmtpReplies.AUTH_FAILED);
        }
        return new LoginValue(text);
    }

    /** Base64 (RFC 4648, padding required) of UTF-8 text; {@code =} is the empty string. */
    private static String decodeBase64Utf8(String s) {
        if (s.equals("=")) {
            return "";
        }
        if (s.isEmpty() || s.length() % 4 != 0) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
