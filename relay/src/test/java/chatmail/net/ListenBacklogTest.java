package chatmail.net;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MissingProgram;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every TCP listener a device or another relay connects to is made with {@link ListenBacklog#SIZE}
 * (or what the kernel caps it at), so the reconnects after a restart are queued, not dropped:
 * the kernel's own view of the relay's listening sockets, from ss(8), whose Send-Q of a
 * listening socket is its backlog.
 */
class ListenBacklogTest {

    /** Listeners outside the rule: TURN is UDP; the metrics endpoint is the operator's scraper's. */
    private static final Set<String> OTHER = Set.of("turn", "metrics");

    @Test
    void everyListenerOfARelayHasTheBacklog(@TempDir Path dir) throws Exception {
        // readAllLines: Files.readString gets only the first byte of a sysctl file on this kernel.
        int expected = Math.min(ListenBacklog.SIZE,
                Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).getFirst().trim()));
        try (TestRelay relay = TestRelay.start(dir)) {
            Map<Integer, Integer> backlogs = listeningBacklogs();
            Map<String, Integer> seen = new HashMap<>();
            relay.relay().ports().forEach((service, port) -> {
                if (!OTHER.contains(service)) {
                    seen.put(service, backlogs.get(port));
                }
            });
            assertThat(seen).containsKeys("smtp", "submissions", "imaps", "https", "http");
            assertThat(seen).allSatisfy((service, backlog) -> assertThat(backlog).as(service).isEqualTo(expected));
        }
    }

    /** Local port → backlog of each listening TCP socket on this machine. */
    private static Map<Integer, Integer> listeningBacklogs() throws IOException, InterruptedException {
        Process ss;
        try {
            ss = new ProcessBuilder("ss", "-ltnH").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw MissingProgram.report("ss (Debian package iproute2) is not installed");
        }
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor()).as(out).isZero();
        Map<Integer, Integer> backlogs = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].equals("LISTEN")) {
                String local = f[3];
                backlogs.put(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)), Integer.parseInt(f[2]));
            }
        }
        return backlogs;
    }
}
