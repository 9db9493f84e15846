package chatmail.migrate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Helpers for tests that build or check a reference relay's tree. */
public final class ReferenceTrees {
    private ReferenceTrees() {}

    /** Every file and directory under {@code root} with its SHA-256, size and mtime: "unchanged" means equal maps. */
    public static Map<String, String> checksums(Path root) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    sums.put(key + "/", "dir");
                    continue;
                }
                MessageDigest sha;
                try {
                    sha = MessageDigest.getInstance("SHA-256");
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] buffer = new byte[65536];
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        sha.update(buffer, 0, n);
                    }
                }
                sums.put(key, HexFormat.of().formatHex(sha.digest()) + " " + Files.size(p) + " "
                        + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
            }
        }
        return sums;
    }

    /**
     * Puts a message file into a Maildir as Dovecot would: {@code new/<base>} without flags, else
     * {@code cur/<base>:2,<flags>}; LF line ends; gzip-compressed when asked; mtime = internal date.
     */
    public static Path putMessage(Path maildir, String base, String flags, String content, boolean gzip, Instant date)
            throws IOException {
        boolean fresh = flags == null;
        Path sub = maildir.resolve(fresh ? "new" : "cur");
        Files.createDirectories(sub);
        Files.createDirectories(maildir.resolve(fresh ? "cur" : "new"));
        Files.createDirectories(maildir.resolve("tmp"));
        Path file = sub.resolve(fresh ? base : base + ":2," + flags);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
                gz.write(bytes);
            }
            bytes = out.toByteArray();
        }
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(date));
        return file;
    }

    /** chatmaild's password file: the hash, no newline; its mtime is the last login. */
    public static void writePassword(Path accountDir, String hash, Instant lastLogin) throws IOException {
        Files.createDirectories(accountDir);
        Path file = accountDir.resolve("password");
        Files.writeString(file, hash, StandardCharsets.US_ASCII);
        Files.setLastModifiedTime(file, FileTime.from(lastLogin));
    }

    /**
     * A message as Delta Chat sends one (CRLF line ends), {@code size} bytes of body or more; a body
     * line starting with a dot makes the LMTP client's dot-stuffing count.
     */
    public static byte[] message(String to, int n, int size) {
        StringBuilder b = new StringBuilder();
        b.append("From: sender@example.org\r\nTo: ").append(to).append("\r\nSubject: [...]\r\n")
                .append("Message-ID: <m").append(n).append('.').append(to).append(">\r\n")
                .append("Chat-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
                .append("message ").append(n).append("\r\n.a line with a leading dot\r\n");
        Random random = new Random(n);
        while (b.length() < size) {
            for (int i = 0; i < 76; i++) {
                b.append((char) ('A' + random.nextInt(26)));
            }
            b.append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
