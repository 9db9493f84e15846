package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits against abuse (IMAP-7). */
class ImapLimitsTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void tooLongLineIsRefusedAndTheConnectionClosed() throws Exception {
        fx = ImapFixture.start(dir);
        try (ImapTestClient c = fx.client()) {
            c.send("a NOOP " + "x".repeat(ImapLimits.DEFAULT_MAX_LINE) + "\r\n");
            assertThat(c.line()).isEqualTo("a BAD Command line too long.");
            assertThat(c.line()).isEqualTo("* BYE Too long command line.");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void literalsLargerThanAllowedAreRefused() throws Exception {
        fx = ImapFixture.start(dir, b -> b.maxMessageSize = 1000);
        try (ImapTestClient c = ImapTestClient.imaps(fx.relay)) {
            c.line();
            // Before login a literal may hold credentials, not a message.
            c.send("a LOGIN {9000}\r\n");
            assertThat(c.line()).isEqualTo("a NO [TOOBIG] Literal too large.");
            assertThat(c.command("l", "LOGIN " + ImapTestClient.quote(fx.user) + " " + ImapTestClient.quote(ImapFixture.PASSWORD))
                    .getLast()).startsWith("l OK ");
            c.send("b APPEND INBOX {1001}\r\n");
            assertThat(c.line()).isEqualTo("b NO [TOOBIG] Literal too large.");
            c.send("c APPEND INBOX {1000}\r\n");
            assertThat(c.line()).isEqualTo("+ OK");
            c.send("x".repeat(1000) + "\r\n");
            assertThat(c.line()).startsWith("c OK [APPENDUID ");
            // A non-synchronizing literal is already on its way: refuse and close.
            c.send("d APPEND INBOX {1001+}\r\n" + "x".repeat(1001) + "\r\n");
            assertThat(c.line()).isEqualTo("d BAD [TOOBIG] Literal too large.");
            assertThat(c.line()).isEqualTo("* BYE Literal too large.");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void idleConnectionBeforeLoginIsClosed() throws Exception {
        fx = ImapFixture.start(dir, b -> b.timeouts = new Config.Timeouts(Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMillis(500), Duration.ofMinutes(31), Duration.ofMinutes(2), Duration.ofDays(1)));
        try (ImapTestClient c = ImapTestClient.imaps(fx.relay)) {
            assertThat(c.line()).startsWith("* OK ");
            assertThat(c.line()).isEqualTo("* BYE Disconnected for inactivity.");
            assertThat(c.closedByServer()).isTrue();
        }
        // A plain connection that never starts TLS is closed too.
        try (ImapTestClient c = ImapTestClient.imap(fx.relay)) {
            assertThat(c.line()).startsWith("* OK ");
            assertThat(c.line()).isEqualTo("* BYE Disconnected for inactivity.");
        }
    }

    @Test
    void autologoutAfterLoginUsesTheIdleTimeout() throws Exception {
        fx = ImapFixture.start(dir, b -> b.timeouts = new Config.Timeouts(Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMillis(300), Duration.ofMillis(1500), Duration.ofMinutes(2), Duration.ofDays(1)));
        try (ImapTestClient c = fx.client()) {
            long start = System.nanoTime();
            assertThat(c.line()).isEqualTo("* BYE Disconnected for inactivity.");
            // Not the 300 ms before-login timeout: logged in, the longer one applies.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1000));
        }
    }

    @Test
    void manyBadCommandsEndTheConnection() throws Exception {
        fx = ImapFixture.start(dir);
        try (ImapTestClient c = fx.client()) {
            for (int i = 0; i < 19; i++) {
                assertThat(c.command("b" + i, "BOGUS").getLast()).startsWith("b" + i + " BAD ");
            }
            assertThat(c.command("last", "BOGUS")).containsExactly("last BAD Error in IMAP command BOGUS: Unknown command");
            assertThat(c.line()).isEqualTo("* BYE Too many invalid IMAP commands.");
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
