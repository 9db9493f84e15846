package chatmail.net;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.ChildJvm;
import chatmail.testing.MissingProgram;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SEC-3: a process out of file descriptors (EMFILE) cannot accept; the connection stays in the
 * backlog and each accept fails at once. The accept loop backs off instead of spinning on a
 * core, and accepts again as soon as descriptors are free. A real listener in a child JVM whose
 * descriptor limit the test lowers with prlimit(1) once it runs.
 */
class AcceptBackoffTest {

    @Test
    void outOfFileDescriptorsTheAcceptLoopBacksOffAndRecovers() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
            throw MissingProgram.report("prlimit (Debian package util-linux) is not installed");
        }
        Process child = new ProcessBuilder(ChildJvm.command(AcceptBackoffProbe.class))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Socket> clients = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
                PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.US_ASCII)) {
            String[] ready = out.readLine().split(" ");
            int port = Integer.parseInt(ready[1]);
            long fds = Long.parseLong(ready[3]);
            // Room for a dozen connections (and what the JVM opens meanwhile), not for forty.
            Process limit = new ProcessBuilder("prlimit", "--pid", Long.toString(child.pid()), "--nofile=" + (fds + 16))
                    .inheritIO().start();
            assertThat(limit.waitFor()).isZero();

            for (int i = 0; i < 40; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setSoTimeout(20_000);
                clients.add(s);
            }
            assertThat(readLine(clients.getFirst())).isEqualTo("hello");

            // Polled every 50 ms: a loop that retried at once would fail thousands of times between
            // two polls; one that backs off (10 ms doubling to 1 s) fails a handful of times.
            long failures = 0;
            for (int polls = 0; failures < 8; polls++) {
                assertThat(polls).as("accepts failing (out of descriptors)").isLessThan(1200);
                Thread.sleep(50);
                failures = failures(in, out);
            }
            assertThat(failures).as("failed accepts when first seen at 8 or more").isLessThan(20);

            in.println("release");
            assertThat(out.readLine()).isEqualTo("released");
            // The connections that waited in the backlog are accepted now.
            assertThat(readLine(clients.getLast())).isEqualTo("hello");
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            child.destroyForcibly();
            child.waitFor();
        }
    }

    private static long failures(PrintWriter in, BufferedReader out) throws IOException {
        in.println("failures");
        String line = out.readLine();
        assertThat(line).startsWith("failures ");
        return Long.parseLong(line.substring("failures ".length()));
    }

    private static String readLine(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
}
