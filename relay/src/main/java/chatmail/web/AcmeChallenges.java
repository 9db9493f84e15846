package chatmail.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ACME HTTP-01 answers: the file {@code <data_dir>/acme-challenge/<token>} is served as
 * {@code /.well-known/acme-challenge/<token>} over plain HTTP (CAs ask there first). Whoever
 * runs ACME writes the files; this only reads them.
 */
final class AcmeChallenges {

    static final String PREFIX = "/.well-known/acme-challenge/";
    /** RFC 8555 tokens are base64url; anything else cannot name a file here. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private static final long MAX_SIZE = 64 * 1024;

    private final Path directory;

    AcmeChallenges(Path dataDir) {
        this.directory = dataDir.resolve("acme-challenge");
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
        Path file = directory.resolve(token);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_SIZE) {
                return Optional.empty();
            }
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
