package chatmail;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.smtp.SmtpClient;
import chatmail.smtp.SmtpFixtures;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.ChildJvm;
import chatmail.testing.MutableClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-7: a relay that runs out of heap ends (exit code 3 of -XX:+ExitOnOutOfMemoryError, so
 * systemd restarts it) instead of living on with the threads that hit the error dead; what it
 * acknowledged before is in the store. A real relay process with a small heap, and real client
 * work that needs memory in proportion to a message: a large message submitted, then its
 * BODYSTRUCTURE asked for by a few IMAP sessions at once (the one FETCH item that still parses
 * the whole message in the heap; BODY[] streams from the store), until an allocation cannot be
 * served.
 */
class OutOfMemoryExitTest {
    static final String HEAP = "-Xmx48m";
    static final String DOMAIN = "chatmail.localhost";
    static final String PASSWORD = "correct-horse-9";

    @TempDir
    Path dir;

    @Test
    void outOfHeapTheRelayExitsAndKeepsWhatItAccepted() throws Exception {
        int submissions = freePort();
        int imaps = freePort();
        Path data = dir.resolve("data");
        Path ini = Files.writeString(dir.resolve("chatmail.ini"), String.join("\n",
                "[params]",
                "mail_domain = " + DOMAIN,
                "data_dir = " + data,
                "listen_addresses = 127.0.0.1",
                "smtp_port = 0", "submission_port = 0", "imap_port = 0", "http_port = 0", "https_port = 0",
                "submissions_port = " + submissions,
                "imaps_port = " + imaps,
                "max_message_size = 64M",
                "max_load_1m = 1000", "min_available_memory = 1", "min_free_disk_space = 1",
                "dns_resolver = 127.0.0.1:9",
                "notify_url = http://127.0.0.1:9/notify", ""));
        Path stderr = dir.resolve("stderr.log");
        Process relay = new ProcessBuilder(ChildJvm.command(List.of(HEAP), Main.class, "run", "--config", ini.toString()))
                .redirectError(stderr.toFile()).start();
        String alice = "alice0oom@" + DOMAIN;
        StringBuilder stdout = new StringBuilder();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> drain(relay, stdout, ready));
        try {
            ready.get(120, TimeUnit.SECONDS);
            // Accepted before the trouble: this must survive it.
            try (SmtpClient c = SmtpClient.ready(submissions, true)) {
                c.expect(c.authPlain(alice, PASSWORD), 235);
                c.expect(c.sendMail(alice, alice, SmtpFixtures.encrypted(alice, alice)), 250);
            }
            // 20 MB: spooled on its way in, parsed whole for a BODYSTRUCTURE on its way out.
            byte[] large = SmtpFixtures.encrypted(alice, alice, 20 << 20);
            try (SmtpClient c = SmtpClient.ready(submissions, true)) {
                c.expect(c.authPlain(alice, PASSWORD), 235);
                c.sendMail(alice, alice, large);
            } catch (IOException diedWhileTakingIt) {
                // the allocation failed while the message came in: what the test is after
            }
            if (relay.isAlive()) {
                fetchConcurrently(imaps, alice, 3);
            }
            assertThat(relay.waitFor(60, TimeUnit.SECONDS)).as("the relay ended").isTrue();
            assertThat(relay.exitValue()).as("ExitOnOutOfMemoryError's exit code").isEqualTo(3);
            // HotSpot says so on its standard output.
            assertThat(awaitText(stdout, relay)).contains("Terminating due to java.lang.OutOfMemoryError");
        } finally {
            relay.destroyForcibly();
            relay.waitFor();
        }
        try (MailStore store = SqliteMailStore.open(data, new MutableClock())) {
            Account account = store.findAccount(alice).orElseThrow();
            long inbox = store.mailbox(account.id(), "INBOX").orElseThrow().id();
            assertThat(store.snapshot(inbox).messages()).as("what was acknowledged is stored").isNotEmpty();
        }
    }

    /** IMAP sessions asking for every message's structure at once; they end when the relay does. */
    private static void fetchConcurrently(int port, String user, int sessions) throws Exception {
        List<CompletableFuture<Void>> fetches = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            fetches.add(CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(60_000);
                    OutputStream out = s.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    in.readLine();
                    out.write(("a LOGIN " + user + " " + PASSWORD + "\r\nb SELECT INBOX\r\nc FETCH 1:* (BODYSTRUCTURE)\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    while (in.readLine() != null) {
                        // drain until the relay is gone
                    }
                } catch (Exception gone) {
                    // the relay died under us: expected
                }
            }));
        }
        for (CompletableFuture<Void> f : fetches) {
            f.get(120, TimeUnit.SECONDS);
        }
    }

    /** Collects the relay's standard output; {@code ready} completes when it printed its ports. */
    private static void drain(Process relay, StringBuilder stdout, CompletableFuture<Void> ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (stdout) {
                    stdout.append(line).append('\n');
                }
                if (line.contains("imaps")) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            ready.completeExceptionally(new AssertionError("the relay ended before it was ready: " + stdout));
            synchronized (stdout) {
                stdout.append("<end>");
                stdout.notifyAll();
            }
        }
    }

    /** All the relay wrote to its standard output, once it is closed. */
    private static String awaitText(StringBuilder stdout, Process relay) throws InterruptedException {
        synchronized (stdout) {
            while (stdout.indexOf("<end>") < 0) {
                stdout.wait(60_000);
            }
            return stdout.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static SSLContext trustAll() throws Exception {
        return chatmail.smtp.TrustAllTls.context();
    }
}
