package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import chatmail.account.SmtpsLogin;
import chatmail.smtp.TrustAllTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./chatmail run} of this checkout, after the build (failsafe runs it once the jar
 * exists): the launcher's AOT cache is valid for exactly the class path and JDK the launcher
 * starts the relay with (a start with {@code -XX:AOTMode=on} fails otherwise instead of skipping
 * the cache with a warning), SQLite's native library is the one the launcher unpacked, the heap
 * policy comes before {@code CHATMAIL_JAVA_OPTS}, and a
 * second start takes the fast path: no {@code find}, no JDK search.
 */
class LauncherIT {

    private static final Path LAUNCHER = chatmail.testing.ProjectDir.resolve("chatmail");
    /** A first start after a build trains the AOT cache: a throw-away relay, a minute on a busy machine. */
    private static final long START_SECONDS = 600;

    @TempDir
    Path dir;

    @Test
    void theRelayStartsFromTheAotCacheWithTheHeapPolicyFirstAndTheOperatorsOptionsLast() throws Exception {
        int port = freePort();
        Path ini = config(port);
        Path classes = dir.resolve("classes.log");

        Process relay = launch(List.of("run", "--config", ini.toString()),
                "-XX:AOTMode=on -Xlog:class+load=info:file=" + classes + " -Xmx200m", null);
        try {
            List<String> output = awaitReady(relay);

            List<String> cmdline = cmdline(relay.pid());
            int policyHeap = indexOfPrefix(cmdline, "-Xmx", 0);
            assertThat(cmdline.get(policyHeap)).as("the launcher's heap policy").isNotEqualTo("-Xmx200m");
            assertThat(cmdline.indexOf("-Xmx200m")).as("CHATMAIL_JAVA_OPTS after the policy, so it wins").isGreaterThan(policyHeap);
            assertThat(cmdline).contains("-XX:AOTCache=" + LAUNCHER.getParent().resolve("relay/target/chatmail.aot"));
            assertThat(cmdline.subList(cmdline.indexOf("-jar"), cmdline.size()))
                    .startsWith("-jar", LAUNCHER.getParent().resolve("relay/target/chatmail.jar").toString(), "run");

            Path sqliteNative = LAUNCHER.getParent().resolve("relay/target/native");
            assertThat(cmdline).as("sqlite-jdbc is pointed at the library the launcher unpacked")
                    .contains("-Dorg.sqlite.lib.path=" + sqliteNative, "-Dorg.sqlite.lib.name=libsqlitejdbc.so");
            assertThat(Files.readString(Path.of("/proc", Long.toString(relay.pid()), "maps")))
                    .as("the relay runs SQLite from there, not from a copy unpacked into /tmp")
                    .contains(sqliteNative.resolve("libsqlitejdbc.so").toString());
            assertThat(Files.readString(classes))
                    .as("the relay's own classes came from the cache")
                    .containsPattern("chatmail\\.Relay source: shared objects file")
                    .containsPattern("chatmail\\.smtp\\.SmtpSession source: shared objects file")
                    .as("and the way out to another relay, which the training's message to one took")
                    .containsPattern("chatmail\\.delivery\\.outbound\\.OutboundDelivery\\$JustCommitted source: shared objects file")
                    .containsPattern("org\\.xbill\\.DNS\\.NioUdpClient source: shared objects file")
                    .as("slf4j bound the relay's provider, named on the command line, not one it searched the class path for")
                    .containsPattern("chatmail\\.logging\\.RelayLoggingProvider source: shared objects file");
            assertThat(output).as("slf4j says nothing about the provider it was given").noneMatch(line -> line.startsWith("SLF4J"));
            assertThat(new SmtpsLogin(TrustAllTls.context(), port).authPlain("nobody", "short"))
                    .as("the relay answers on its submission port").startsWith("535 ");
        } finally {
            stop(relay);
        }
    }

    @Test
    void withNothingChangedTheLauncherNeitherSearchesNorBuilds() throws Exception {
        // Brings the launcher's record up to date (it may build, train, search).
        Process first = launch(List.of("version"), "", null);
        assertThat(first.waitFor(START_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as("output: %s", output(first)).isZero();

        // Only find is shadowed: the java on PATH, part of the record, stays the same.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path marker = dir.resolve("find-was-run");
        Path find = Files.writeString(bin.resolve("find"), "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n");
        Files.setPosixFilePermissions(find, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process second = launch(List.of("version"), "", bin);
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = output(second);

        assertThat(second.exitValue()).as("output: %s", out).isZero();
        assertThat(out).startsWith("chatmail ").doesNotContain("building", "preparing");
        assertThat(marker).as("the fast path ran no find").doesNotExist();
    }

    // ---- helpers

    private Path config(int submissionsPort) throws IOException {
        return Files.writeString(dir.resolve("chatmail.ini"), """
                [params]
                mail_domain = launcher.localhost
                data_dir = %s
                listen_addresses = 127.0.0.1
                smtp_port = 0
                submission_port = 0
                submissions_port = %d
                imap_port = 0
                imaps_port = 0
                http_port = 0
                https_port = 0
                """.formatted(dir.resolve("data"), submissionsPort));
    }

    private Process launch(List<String> args, String javaOptions, Path pathFirst) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("CHATMAIL_INI");
        pb.environment().put("CHATMAIL_JAVA_OPTS", javaOptions);
        if (pathFirst != null) {
            pb.environment().put("PATH", pathFirst + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        }
        return pb.start();
    }

    /** Reads the relay's output until it says it is ready and returns it; fails with the output when it ends first. */
    private static List<String> awaitReady(Process relay) throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> copyLines(relay.getInputStream(), lines));
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                fail("the relay was not ready within " + START_SECONDS + " s or ended; its output:\n" + String.join("\n", seen));
            }
            seen.add(line);
            if (line.contains(" ready in ")) {
                return seen;
            }
        }
    }

    private static final String END = "\u0000end";

    private static void copyLines(InputStream in, BlockingQueue<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the process went away
        }
        lines.add(END);
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> cmdline(long pid) throws IOException {
        String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
        return Arrays.asList(raw.split("\u0000"));
    }

    private static int indexOfPrefix(List<String> list, String prefix, int from) {
        for (int i = from; i < list.size(); i++) {
            if (list.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no " + prefix + "… in " + list);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
