package chatmail.limits;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.ChildJvm;
import chatmail.testing.MissingProgram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEC-3's IPv6 key end to end: two source addresses in one /64 share one client's limit, an
 * address in another /64 does not. Relay and clients run in a network namespace this test
 * creates, with addresses from the documentation prefix 2001:db8::/32 on the namespace's own
 * loopback; the host's interfaces are never touched, and the namespace is deleted at the end.
 * Needs root (CI runs as root; there a failure to create the namespace fails the test).
 */
class Ipv6SlashSixtyFourTest {
    static final String SERVER = "2001:db8:1::1";
    static final String FIRST = "2001:db8:1::2";
    static final String SAME_64 = "2001:db8:1::3";
    static final String OTHER_64 = "2001:db8:2::2";
    static final String GREETING = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED ID] chatmail ready.";

    @TempDir
    Path dir;

    @Test
    void twoAddressesInOneSlash64ShareALimitAndAnotherSlash64DoesNot() throws Exception {
        String ns = "chatmail-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        try {
            try {
                run("ip", "netns", "add", ns);
            } catch (IOException e) {
                throw MissingProgram.report("cannot create a network namespace (needs root and iproute2): " + e.getMessage());
            }
            // The namespace's own loopback carries every address: relay and clients share it, and
            // nothing outside the namespace changes (no veth end in the host's namespace).
            run("ip", "-n", ns, "link", "set", "lo", "up");
            for (String a : List.of(SERVER, FIRST, SAME_64, OTHER_64)) {
                run("ip", "-n", ns, "-6", "addr", "add", a + "/64", "dev", "lo", "nodad");
            }

            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns));
            command.addAll(ChildJvm.command(Ipv6LimitsProbe.class, dir.resolve("data").toString(), SERVER,
                    FIRST, FIRST, SAME_64, OTHER_64));
            Process probe = new ProcessBuilder(command).redirectError(dir.resolve("stderr.log").toFile()).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(probe.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(out.lines().toList()).as("stderr in %s", dir.resolve("stderr.log")).containsExactly(
                    FIRST + " " + GREETING,
                    FIRST + " " + GREETING,
                    SAME_64 + " * BYE [UNAVAILABLE] Too many connections from your address, try again later.",
                    OTHER_64 + " " + GREETING,
                    "done");
        } finally {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException notCreated) {
                // nothing to clean up
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
