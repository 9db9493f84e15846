package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.spool.BodySpool;
import chatmail.testing.ChildJvm;
import chatmail.testing.DirectoryWatch;
import chatmail.testing.RelayChild;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-1 as an attacker tries it (issue 11): against a relay in its own JVM with a fixed heap,
 * one account's IMAP sessions announce 30 MiB APPEND literals and send nothing, or send 4 MiB
 * and stop; SMTP sessions do the same inside DATA. The relay stays alive, a legitimate user still
 * logs in, sends and receives, and the live heap after a forced GC stays within a few MiB of
 * the idle figure: the bodies wait in spool files, not in memory.
 */
class HostileClientsMemoryTest {

    static final String HEAP = "-Xmx192m";
    static final int CONNECTIONS = 20;
    static final int SENT = 4 * 1024 * 1024;
    static final long ANNOUNCED = 31_457_280;
    /**
     * What 80 stalled sessions may add to the live heap: TLS buffers, reader and spool buffers,
     * session objects (about 4 MiB measured). The bodies they sent (160 MiB) or announced
     * (1.2 GiB) must not be in it: with the literal sized from its announcement, the IMAP half
     * alone fills the heap.
     */
    static final long BOUND = 12L * 1024 * 1024;
    static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void stalledLiteralsAndDataCostAFewMiBNotHundreds() throws Exception {
        Path dataDir = dir.resolve("data");
        Process child = new ProcessBuilder(ChildJvm.command(List.of(HEAP), RelayChild.class, dataDir.toString()))
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        List<AutoCloseable> attackers = new ArrayList<>();
        try {
            Map<String, Integer> ports = RelayChild.awaitReady(child);
            int imaps = ports.get("imaps");
            int submissions = ports.get("submissions");
            String attacker = TestRelay.address("attacker1");
            String alice = TestRelay.address("alice0001");
            String bob = TestRelay.address("bob000001");
            Path spool = dataDir.resolve("tmp");

            // A legitimate exchange first, so its classes and caches are part of the idle figure.
            legitimateExchange(imaps, submissions, alice, bob, 1);
            long idle = liveHeap(child);

            for (int i = 0; i < CONNECTIONS; i++) {
                ImapTestClient c = ImapTestClient.imaps(imaps).login(attacker, SmtpFixtures.PASSWORD);
                attackers.add(c);
                c.send("a APPEND INBOX {" + ANNOUNCED + "+}\r\n");
            }
            byte[] garbage = "x".repeat(SENT).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < CONNECTIONS; i++) {
                ImapTestClient c = ImapTestClient.imaps(imaps).login(attacker, SmtpFixtures.PASSWORD);
                attackers.add(c);
                c.send("b APPEND INBOX {" + ANNOUNCED + "}\r\n");
                assertThat(c.line()).isEqualTo("+ OK");
                c.send(garbage);
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                attackers.add(insideData(submissions, attacker, bob));
            }
            byte[] lines = ("y".repeat(998) + "\r\n").repeat(SENT / 1000).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < CONNECTIONS; i++) {
                SmtpClient c = insideData(submissions, attacker, bob);
                attackers.add(c);
                c.write(lines);
            }
            // Every 4 MiB has reached its spool file (the relay writes through a small buffer).
            DirectoryWatch.awaitFiles(spool, files -> files.size() == 2 * CONNECTIONS
                    && files.stream().allMatch(f -> DirectoryWatch.size(f) >= SENT - BodySpool.MEMORY_LIMIT), DEADLINE);

            // While they hold on, a legitimate user still logs in, sends and receives.
            legitimateExchange(imaps, submissions, alice, bob, 2);

            long attacked = liveHeap(child);
            System.out.printf("HostileClientsMemoryTest: live heap idle %d KiB, with %d stalled sessions %d KiB%n",
                    idle / 1024, attackers.size(), attacked / 1024);
            assertThat(child.isAlive()).isTrue();
            assertThat(attacked - idle)
                    .as("live heap idle %d KiB, under attack %d KiB", idle / 1024, attacked / 1024)
                    .isLessThan(BOUND);

            for (AutoCloseable a : attackers) {
                a.close();
            }
            attackers.clear();
            DirectoryWatch.await(spool, n -> n == 0, DEADLINE);
            try (ImapTestClient c = ImapTestClient.imaps(imaps).login(attacker, SmtpFixtures.PASSWORD)) {
                assertThat(c.ok("STATUS INBOX (MESSAGES)")).containsExactly("* STATUS INBOX (MESSAGES 0)");
            }
        } finally {
            for (AutoCloseable a : attackers) {
                try {
                    a.close();
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** An SMTP session of the attacker on 465 that has just been told to send its DATA. */
    private static SmtpClient insideData(int port, String attacker, String to) throws IOException {
        SmtpClient c = SmtpClient.ready(port, true);
        c.expect(c.authPlain(attacker, SmtpFixtures.PASSWORD), 235);
        c.expect(c.command("MAIL FROM:<" + attacker + ">"), 250);
        c.expect(c.command("RCPT TO:<" + to + ">"), 250);
        c.expect(c.command("DATA"), 354);
        return c;
    }

    /** Alice sends Bob an encrypted message over 465; Bob's INBOX has {@code expected} messages over IMAP. */
    private static void legitimateExchange(int imaps, int submissions, String alice, String bob, int expected) throws IOException {
        try (ImapTestClient reader = ImapTestClient.imaps(imaps).login(bob, SmtpFixtures.PASSWORD)) {
            try (SmtpClient c = SmtpClient.ready(submissions, true)) {
                c.expect(c.authPlain(alice, SmtpFixtures.PASSWORD), 235);
                assertThat(c.sendMail(alice, bob, SmtpFixtures.encrypted(alice, bob)).line()).isEqualTo("250 2.0.0 Ok");
            }
            assertThat(reader.ok("SELECT INBOX")).contains("* " + expected + " EXISTS");
        }
    }

    /** Bytes of live objects after a full GC, from {@code jcmd <pid> GC.class_histogram} (which forces one). */
    static long liveHeap(Process child) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(ChildJvm.tool("jcmd"), Long.toString(child.pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String total = out.lines().filter(l -> l.startsWith("Total ")).findFirst()
                .orElseThrow(() -> new AssertionError("no histogram total in: " + out));
        String[] fields = total.trim().split("\\s+");
        return Long.parseLong(fields[2]);
    }
}
