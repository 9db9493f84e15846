package chatmail.store.sqlite;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Message contents with known bytes, reproducible from a seed. */
public final class TestMessages {
    private TestMessages() {}

    /** An RFC 5322 message of exactly {@code size} bytes (size ≥ 100), its body derived from the seed. */
    public static byte[] message(long seed, int size) {
        byte[] header = ("From: a@example.org\r\nTo: b@example.org\r\nSubject: " + seed + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        if (size < header.length) {
            throw new IllegalArgumentException("too small");
        }
        byte[] content = new byte[size];
        System.arraycopy(header, 0, content, 0, header.length);
        Random random = new Random(seed);
        for (int i = header.length; i < size; i++) {
            content[i] = (byte) ('a' + random.nextInt(26));
        }
        return content;
    }
}
