package chatmail.turn;

import chatmail.testing.MissingProgram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * coturn's {@code turnutils_uclient} (Debian package {@code coturn}), the independent TURN client
 * of the tests. It exits 0 even when packets were lost, so a run is judged by what it prints:
 * {@code tot_send_msgs}/{@code tot_recv_msgs}, {@code Total lost packets N}, {@code error NNN}.
 */
final class Uclient {
    static final Path PROGRAM = Path.of("/usr/bin/turnutils_uclient");
    static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    /** Only a client that hangs meets this; a normal run ends in seconds. */
    private static final long GIVE_UP_SECONDS = 180;
    private static final Pattern TOTALS = Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
    private static final Pattern RELAYED = Pattern.compile("Received relay addr: [0-9.]+:(\\d+)");

    record Result(int exitCode, String output) {
        long sent() {
            return group(TOTALS, 1);
        }

        long received() {
            return group(TOTALS, 2);
        }

        long lost() {
            return group(LOST, 1);
        }

        boolean finished() {
            return LOST.matcher(output).find();
        }

        /** The relayed ports in the order the allocations were made (needs -v). */
        List<Integer> relayedPorts() {
            List<Integer> ports = new ArrayList<>();
            Matcher m = RELAYED.matcher(output);
            while (m.find()) {
                ports.add(Integer.parseInt(m.group(1)));
            }
            return ports;
        }

        private long group(Pattern p, int g) {
            Matcher m = p.matcher(output);
            long value = -1;
            while (m.find()) {
                value = Long.parseLong(m.group(g));
            }
            if (value < 0) {
                throw new AssertionError("uclient printed no " + p.pattern() + ":\n" + output);
            }
            return value;
        }
    }

    private Uclient() {}

    static void requireInstalled() {
        if (!Files.isExecutable(PROGRAM) || !Files.isExecutable(PEER)) {
            throw MissingProgram.report("turnutils_uclient and turnutils_peer are missing: install the Debian package "
                    + "coturn (scripts/install-test-deps)");
        }
    }

    /** Runs the client with these arguments to its end and returns what it printed. */
    static Result run(Path workDir, List<String> args) throws IOException, InterruptedException {
        requireInstalled();
        List<String> command = new ArrayList<>();
        command.add(PROGRAM.toString());
        command.addAll(args);
        Path log = Files.createTempFile(workDir, "uclient", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(GIVE_UP_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("turnutils_uclient " + args + " did not end:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
    }
}
