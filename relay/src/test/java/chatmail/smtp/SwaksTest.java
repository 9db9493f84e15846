package chatmail.smtp;

import chatmail.testing.MissingProgram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import chatmail.policy.fixtures.TestMessages;
import chatmail.smtp.SmtpFixtures.Submitted;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A third, independent client: swaks (Debian package, with Net::SSLeay for TLS) submits on 465
 * and 587. Missing swaks fails the test when CI=true and skips it with a message otherwise.
 */
class SwaksTest {

    @TempDir
    static Path dir;
    static TestRelay relay;

    @BeforeAll
    static void start() throws Exception {
        requireSwaksWithTls();
        relay = TestRelay.start(dir);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @ParameterizedTest(name = "swaks on {0}")
    @ValueSource(strings = {"submissions", "submission"})
    void swaksSubmitsAnEncryptedMessage(String service) throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);
        Submitted m = SmtpFixtures.deltaChatMessage(alice, bob, "Mr.swaks." + service + "@localhost");

        Result r = swaks(service, alice, bob, m.sent());

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("<~  250 2.0.0 Ok");
        List<byte[]> inbox = StoredMail.inbox(relay, bob);
        assertThat(inbox).hasSize(1);
        assertThat(new String(inbox.getFirst(), StandardCharsets.UTF_8))
                .isEqualTo(new String(m.expectedStored(), StandardCharsets.UTF_8));
    }

    @Test
    void swaksSeesTheUnencryptedRejection() throws Exception {
        String alice = SmtpFixtures.account(relay);
        String bob = SmtpFixtures.account(relay);

        Result r = swaks("submissions", alice, bob, TestMessages.plainText(alice, bob, "hello in the clear\r\n"));

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsPattern("<~?\\*+ 523 5.7.10 Encryption Needed: Invalid Unencrypted Mail");
        assertThat(StoredMail.inbox(relay, bob)).isEmpty();
    }

    private record Result(int exitCode, String output) {}

    private static Result swaks(String service, String from, String to, byte[] message) throws Exception {
        Path data = Files.createTempFile(dir, "message", ".eml");
        // swaks ends the data with CRLF.CRLF itself; a final CRLF in the file would add a blank line.
        int length = message.length;
        if (length >= 2 && message[length - 2] == '\r' && message[length - 1] == '\n') {
            length -= 2;
        }
        Files.write(data, java.util.Arrays.copyOf(message, length));
        List<String> cmd = new ArrayList<>(List.of("swaks",
                "--server", "127.0.0.1", "--port", String.valueOf(relay.port(service)),
                "--from", from, "--to", to,
                "--auth", "PLAIN", "--auth-user", from, "--auth-password", SmtpFixtures.PASSWORD,
                "--data", "@" + data, "--timeout", "20"));
        cmd.add(service.equals("submissions") ? "--tls-on-connect" : "--tls");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("swaks did not finish: " + output);
        }
        return new Result(p.exitValue(), output);
    }

    private static void requireSwaksWithTls() throws IOException, InterruptedException {
        String problem = null;
        try {
            Process p = new ProcessBuilder("swaks", "--support").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            if (!out.contains("TLS supported")) {
                problem = "swaks has no TLS support (install libnet-ssleay-perl; scripts/install-test-deps does)";
            }
        } catch (IOException e) {
            problem = "swaks is not installed (Debian package swaks; scripts/install-test-deps installs it)";
        }
        if (problem != null) {
            throw MissingProgram.report(problem);
        }
    }
}
