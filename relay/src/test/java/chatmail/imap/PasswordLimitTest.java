package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.limits.HashingPool;
import chatmail.policy.fixtures.TestMessages;
import chatmail.smtp.SmtpClient;
import chatmail.testing.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-2: a password over 256 bytes is refused, on every way in, without being hashed; the
 * parsers take no more before login than credentials need; and a storm of logins, each costing
 * a hash, leaves delivery running.
 */
class PasswordLimitTest {
    static final String IMAP_FAILED = "NO [AUTHENTICATIONFAILED] Authentication failed.";
    static final String SMTP_FAILED = "535 5.7.8 Authentication credentials invalid";
    /** 257 bytes of UTF-8 in 129 characters: the limit counts bytes. */
    static final String TOO_LONG = "é".repeat(128) + "x";
    /** Exactly 256 bytes. */
    static final String LONGEST = "é".repeat(128);

    @TempDir
    Path dir;
    ImapFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    private long hashes() {
        return fx.relay.relay().limits().hashing().computed();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void passwordsOver256BytesAreRefusedEverywhereWithoutHashing() throws Exception {
        // No SEC-3 delays here: this test makes many failures on purpose.
        fx = ImapFixture.start(dir, b -> b.limits = b.limits.withLoginFailuresBeforeDelay(1000));
        String fresh = TestRelay.address("freshlong");
        long before = hashes();
        try (ImapTestClient c = ImapTestClient.imaps(fx.relay)) {
            assertThat(c.line()).startsWith("* OK ");
            assertThat(c.command("a", "LOGIN " + ImapTestClient.quote(fx.user) + " " + ImapTestClient.quote(TOO_LONG)))
                    .containsExactly("a " + IMAP_FAILED);
            byte[] literal = TOO_LONG.getBytes(StandardCharsets.UTF_8);
            c.send("b LOGIN " + ImapTestClient.quote(fx.user) + " {" + literal.length + "+}\r\n");
            c.send(literal);
            c.send("\r\n");
            assertThat(c.until("b")).containsExactly("b " + IMAP_FAILED);
            assertThat(c.command("d", "AUTHENTICATE PLAIN " + b64("\0" + fx.user + "\0" + TOO_LONG)))
                    .containsExactly("d " + IMAP_FAILED);
            // A new address: no account is made with it either.
            assertThat(c.command("e", "LOGIN " + ImapTestClient.quote(fresh) + " " + ImapTestClient.quote(TOO_LONG)))
                    .containsExactly("e " + IMAP_FAILED);
        }
        try (ImapTestClient c = ImapTestClient.via443(fx.relay)) {
            assertThat(c.line()).startsWith("* OK ");
            assertThat(c.command("f", "LOGIN " + ImapTestClient.quote(fx.user) + " " + ImapTestClient.quote(TOO_LONG)))
                    .containsExactly("f " + IMAP_FAILED);
        }
        try (SmtpClient c = SmtpClient.ready(fx.relay.port("submissions"), true)) {
            assertThat(c.authPlain(fx.user, TOO_LONG).line()).isEqualTo(SMTP_FAILED);
            assertThat(c.command("AUTH LOGIN " + b64(fx.user)).line()).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.command(b64(TOO_LONG)).line()).isEqualTo(SMTP_FAILED);
        }
        assertThat(hashes()).as("SHA512-CRYPT never ran").isEqualTo(before);
        assertThat(fx.relay.relay().store().findAccount(fresh)).isEmpty();

        // 256 bytes are allowed: the new account is made, and that costs exactly one hash.
        try (ImapTestClient c = ImapTestClient.imaps(fx.relay).login(fresh, LONGEST)) {
            assertThat(c.command("n", "NOOP").getLast()).isEqualTo("n OK NOOP completed.");
        }
        assertThat(hashes()).isEqualTo(before + 1);
    }

    @Test
    void beforeLoginTheReaderTakesNoMoreThanCredentialsNeed() throws Exception {
        fx = ImapFixture.start(dir);
        long before = hashes();
        try (ImapTestClient c = ImapTestClient.imaps(fx.relay)) {
            assertThat(c.line()).startsWith("* OK ");
            c.send("a LOGIN {2000}\r\n");
            assertThat(c.line()).isEqualTo("a NO [TOOBIG] Literal too large.");
            c.send("b LOGIN " + ImapTestClient.quote(fx.user) + " \"" + "x".repeat(ImapLimits.MAX_LINE_BEFORE_LOGIN) + "\"\r\n");
            assertThat(c.line()).isEqualTo("b BAD Command line too long.");
            assertThat(c.line()).isEqualTo("* BYE Too long command line.");
            assertThat(c.closedByServer()).isTrue();
        }
        // After login the full command line length applies again.
        try (ImapTestClient c = fx.client()) {
            assertThat(c.command("s", "SEARCH TEXT \"" + "x".repeat(ImapLimits.MAX_LINE_BEFORE_LOGIN) + "\"").getLast())
                    .isEqualTo("s BAD No mailbox selected.");
        }
        assertThat(hashes()).isEqualTo(before);
    }

    @Test
    void aLoginStormDoesNotStopDelivery() throws Exception {
        fx = ImapFixture.start(dir, b -> b.limits = b.limits.withLoginFailuresBeforeDelay(1_000_000));
        HashingPool pool = fx.relay.relay().limits().hashing();
        String sender = TestRelay.address("stormsend");
        fx.relay.relay().accounts().login(sender, ImapFixture.PASSWORD).orElseThrow();
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<Integer>> attackers = new ArrayList<>();
        try (ImapTestClient idle = fx.client()) {
            idle.ok("SELECT INBOX");
            idle.send("i IDLE\r\n");
            assertThat(idle.line()).isEqualTo("+ idling");
            // From many addresses (each has one hashing slot), wrong 256-byte passwords for a real
            // account as fast as answered: every one costs a full SHA512-CRYPT.
            int storm = 4 * pool.threads() + 20;
            for (int i = 0; i < storm; i++) {
                String from = "127.0.1." + (i + 1);
                attackers.add(CompletableFuture.supplyAsync(() -> {
                    int tries = 0;
                    try (ImapTestClient a = ImapTestClient.imapsFrom(fx.relay, from)) {
                        a.line();
                        while (!stop.get()) {
                            List<String> r = a.command("x", "LOGIN " + ImapTestClient.quote(fx.user) + " "
                                    + ImapTestClient.quote("w".repeat(256)));
                            assertThat(r.getLast()).isEqualTo("x " + IMAP_FAILED);
                            tries++;
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return tries;
                }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
            }
            awaitBacklog(pool, pool.threads() + 5);

            SmtpSubmitter.submit(fx.relay, sender, ImapFixture.PASSWORD, fx.user, TestMessages.encrypted(sender, fx.user));
            String line = idle.line();
            while (line.equals("* OK Still here")) {
                line = idle.line();
            }
            assertThat(line).isEqualTo("* 1 EXISTS");
            assertThat(pool.waiting()).as("hashes still queued when the mail arrived").isPositive();
            // A brand-new account, whose first login needs a hash, gets its turn in the storm.
            try (ImapTestClient newcomer = ImapTestClient.imapsFrom(fx.relay, "127.0.2.1")
                    .login(TestRelay.address("newcomer1"), ImapFixture.PASSWORD)) {
                assertThat(newcomer.command("n", "NOOP").getLast()).isEqualTo("n OK NOOP completed.");
            }
            stop.set(true);
            int total = 0;
            for (CompletableFuture<Integer> a : attackers) {
                total += a.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isPositive();
            idle.send("DONE\r\n");
            assertThat(idle.line()).isEqualTo("i OK Idle completed.");
        } finally {
            stop.set(true);
        }
    }

    /** Waits until at least {@code n} hashes are queued: the storm is on. */
    private static void awaitBacklog(HashingPool pool, int n) throws InterruptedException {
        for (int i = 0; pool.waiting() < n; i++) {
            assertThat(i).as("hashes queued by the storm").isLessThan(6000);
            Thread.sleep(10);
        }
    }
}
