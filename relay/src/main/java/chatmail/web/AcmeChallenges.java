package chatmail.web;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ACME HTTP-01 answers: {@code /.well-known/acme-challenge/<token>} over plain HTTP (where CAs
 * ask) and HTTPS (where they land after a redirect), answered from the pending challenges of
 * the ACME client; 404 for any other token.
 */
final class AcmeChallenges {

    static final String PREFIX = "/.well-known/acme-challenge/";
    /** RFC 8555 tokens are base64url; anything else is not a token. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");

    private final AcmeHttpAnswers answers;

    AcmeChallenges(AcmeHttpAnswers answers) {
        this.answers = answers;
    }

    Reply handle(String method, String path) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Reply.text(405, Reply.TEXT, "Method not allowed\n").withHeader("Allow", "GET, HEAD");
        }
        return answer(path.substring(PREFIX.length()))
                .map(body -> Reply.of(200, "application/octet-stream", body).withHeader("Cache-Control", "no-store"))
                .orElseGet(() -> Reply.text(404, Reply.TEXT, "Not found\n"));
    }

    Optional<byte[]> answer(String token) {
        if (!TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        return answers.keyAuthorization(token).map(a -> a.getBytes(StandardCharsets.US_ASCII));
    }
}
