package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpFixtures;
import chatmail.testing.ChildJvm;
import chatmail.testing.RelayChild;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-1 for IMAP FETCH (issue 11): a relay in its own JVM with a heap of 128 MiB holds one
 * 30 MB message, and ten sessions of its account fetch it whole at once, as Delta Chat does
 * ({@code BODY.PEEK[]}), reading slowly: each reads one MiB and then stops while the relay is
 * stuck writing. The relay stays alive, its live heap (after a forced GC) while all ten responses
 * are under way stays below {@link #BOUND}, and every client then gets the exact bytes. With the
 * message read into the heap per FETCH, ten copies (300 MB) do not fit in the heap at all.
 */
class FetchMemoryTest {

    static final String HEAP = "-Xmx128m";
    static final int CLIENTS = 10;
    static final int MESSAGE_BYTES = 30_000_000;
    static final int READ_FIRST = 1 << 20;
    /**
     * What ten sessions in the middle of a 30 MB literal may add to the live heap: their TLS
     * buffers and one piece of the literal each (64 KiB), well under one MiB measured. One copy
     * of the message alone (28.6 MiB) would be over it.
     */
    static final long BOUND = 16L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void tenSlowReadersOfA30MbMessageCostPiecesNotCopies() throws Exception {
        byte[] message = message();
        String digest = sha256(message);
        Process child = new ProcessBuilder(ChildJvm.command(List.of(HEAP), RelayChild.class, dir.resolve("data").toString()))
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        List<ImapTestClient> clients = new ArrayList<>();
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Map<String, Integer> ports = RelayChild.awaitReady(child);
            int imaps = ports.get("imaps");
            String user = TestRelay.address("fetcher01");
            try (ImapTestClient c = ImapTestClient.imaps(imaps).login(user, SmtpFixtures.PASSWORD)) {
                c.send("a APPEND INBOX {" + message.length + "}\r\n");
                assertThat(c.line()).isEqualTo("+ OK");
                c.send(message);
                c.send("\r\n");
                assertThat(c.line()).startsWith("a OK [APPENDUID ");
            }
            message = null; // the test JVM need not hold it either
            long idle = HostileClientsMemoryTest.liveHeap(child);

            CountDownLatch partlyRead = new CountDownLatch(CLIENTS);
            CountDownLatch goOn = new CountDownLatch(1);
            List<Future<String>> digests = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                ImapTestClient c = ImapTestClient.imaps(imaps).login(user, SmtpFixtures.PASSWORD);
                clients.add(c);
                assertThat(c.ok("SELECT INBOX")).contains("* 1 EXISTS");
                digests.add(readers.submit(() -> fetchSlowly(c, partlyRead, goOn)));
            }
            assertThat(partlyRead.await(2, TimeUnit.MINUTES)).as("every client got its first MiB").isTrue();

            long fetching = HostileClientsMemoryTest.liveHeap(child);
            System.out.printf("FetchMemoryTest: live heap idle %d KiB, with %d fetches of %d bytes under way %d KiB%n",
                    idle / 1024, CLIENTS, MESSAGE_BYTES, fetching / 1024);
            assertThat(child.isAlive()).isTrue();
            assertThat(fetching - idle)
                    .as("live heap idle %d KiB, %d fetches under way %d KiB", idle / 1024, CLIENTS, fetching / 1024)
                    .isLessThan(BOUND);

            goOn.countDown();
            for (Future<String> d : digests) {
                assertThat(d.get(2, TimeUnit.MINUTES)).as("the fetched message's SHA-256").isEqualTo(digest);
            }
            assertThat(child.isAlive()).isTrue();
        } finally {
            readers.shutdownNow();
            for (ImapTestClient c : clients) {
                c.close();
            }
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code UID FETCH 1 BODY.PEEK[]}: reads the literal's first MiB, waits for {@code goOn}, reads
     * the rest and the end of the response; the SHA-256 of the literal.
     */
    private static String fetchSlowly(ImapTestClient c, CountDownLatch partlyRead, CountDownLatch goOn) throws Exception {
        c.send("f UID FETCH 1 BODY.PEEK[]\r\n");
        InputStream in = c.input();
        String head = headLine(in);
        assertThat(head).isEqualTo("* 1 FETCH (UID 1 BODY[] {" + MESSAGE_BYTES + "}");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] piece = new byte[64 * 1024];
        long remaining = MESSAGE_BYTES;
        boolean waited = false;
        while (remaining > 0) {
            if (!waited && remaining <= MESSAGE_BYTES - READ_FIRST) {
                partlyRead.countDown();
                goOn.await();
                waited = true;
            }
            int n = in.read(piece, 0, (int) Math.min(piece.length, remaining));
            if (n < 0) {
                throw new IOException("connection closed inside the literal");
            }
            sha.update(piece, 0, n);
            remaining -= n;
        }
        assertThat(c.line()).isEqualTo(")");
        assertThat(c.line()).startsWith("f OK ");
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The response line up to the literal's CRLF, read byte by byte so nothing after it is consumed. */
    private static String headLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed; got so far: " + line);
            }
            line.append((char) b);
        }
        return line.toString().stripTrailing();
    }

    /** A plain-text message of exactly {@link #MESSAGE_BYTES} bytes, each line different. */
    private static byte[] message() {
        StringBuilder m = new StringBuilder(MESSAGE_BYTES + 100);
        m.append("From: <fetcher01@chatmail.localhost>\r\nSubject: large\r\n\r\n");
        for (int i = 0; m.length() < MESSAGE_BYTES - 100; i++) {
            m.append("line ").append(i).append(" of a large message\r\n");
        }
        while (m.length() < MESSAGE_BYTES - 2) {
            m.append('x');
        }
        m.append("\r\n");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
