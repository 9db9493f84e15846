package chatmail.bench.turn;

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
 * The packet load: several {@code turnutils_uclient} processes at once, each from its own
 * loopback source address with {@code -c -z 0 -m M}: M clients sending {@code -n} packets of
 * {@code -l} bytes through the TURN server as fast as they can to the echoing
 * {@code turnutils_peer}, which sends them back the same way.
 */
final class UclientLoad {
    static final Path PROGRAM = Path.of("/usr/bin/turnutils_uclient");
    private static final Pattern SAMPLE = Pattern.compile(
            "(?m)^(\\d+): : start_mclient: msz=\\d+, tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");
    private static final Pattern TOTALS = Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");

    /**
     * One run against one server.
     *
     * @param relayed packets the server relayed at least: every echo that came back went through it twice
     * @param activeSeconds from the second the first packet came back to the second the last did,
     *     on one timeline (uclient counts whole seconds, so this is good to about a second)
     * @param cpuMillis the server's CPU time over the whole run
     */
    record Run(long sent, long received, long relayed, double activeSeconds, long cpuMillis) {
        double packetsPerSecond() {
            return relayed / activeSeconds;
        }

        double packetsPerCpuSecond() {
            return relayed * 1000.0 / cpuMillis;
        }

        double cpuMillisPer1000() {
            return cpuMillis * 1000.0 / relayed;
        }

        double lossPercent() {
            return sent == 0 ? 0 : 100.0 * (sent - received) / sent;
        }
    }

    private final int processes;
    private final int clientsPerProcess;
    private final int packets;
    private final int size;
    private final String secret;
    private final String peerHost;
    private final int peerPort;

    UclientLoad(int processes, int clientsPerProcess, int packets, int size, String secret, String peerHost, int peerPort) {
        this.processes = processes;
        this.clientsPerProcess = clientsPerProcess;
        this.packets = packets;
        this.size = size;
        this.secret = secret;
        this.peerHost = peerHost;
        this.peerPort = peerPort;
    }

    String describe() {
        return processes + " × turnutils_uclient -c -z 0 -m " + clientsPerProcess + " -n " + packets + " -l " + size
                + " (each from its own 127.0.x.y), to turnutils_peer";
    }

    /**
     * @param sources the third byte of this run's source addresses 127.0.x.1 …: uclient leaves its
     *     probe allocations to expire, so every run needs addresses with their quota untouched
     */
    Run run(TurnUnderTest server, int sources) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("uclient-load");
        List<Process> running = new ArrayList<>();
        List<Long> started = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        long cpu0 = ProcessCpu.millis(server.pid());
        try {
            for (int i = 0; i < processes; i++) {
                Path log = dir.resolve("uclient-" + i + ".log");
                List<String> command = List.of(PROGRAM.toString(), "-c", "-z", "0", "-m", Integer.toString(clientsPerProcess),
                        "-n", Integer.toString(packets), "-l", Integer.toString(size), "-W", secret,
                        "-p", Integer.toString(server.address().getPort()), "-L", "127.0." + sources + "." + (i + 1),
                        "-e", peerHost, "-r", Integer.toString(peerPort), server.address().getHostString());
                started.add(System.nanoTime());
                running.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
                logs.add(log);
            }
            for (Process p : running) {
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    throw new IOException("turnutils_uclient did not end within 10 minutes");
                }
            }
            long cpuMillis = ProcessCpu.millis(server.pid()) - cpu0;
            long sent = 0;
            long received = 0;
            double first = Double.MAX_VALUE;
            double last = 0;
            long origin = started.getFirst();
            for (int i = 0; i < logs.size(); i++) {
                String output = Files.readString(logs.get(i), StandardCharsets.ISO_8859_1);
                Matcher totals = TOTALS.matcher(output);
                if (!totals.find()) {
                    throw new IOException("turnutils_uclient printed no totals: " + logs.get(i) + "\n" + tail(output));
                }
                long processReceived = Long.parseLong(totals.group(2));
                sent += Long.parseLong(totals.group(1));
                received += processReceived;
                double offset = (started.get(i) - origin) / 1e9;
                Matcher m = SAMPLE.matcher(output);
                while (m.find()) {
                    double at = offset + Integer.parseInt(m.group(1));
                    long r = Long.parseLong(m.group(3));
                    if (r > 0 && at - 1 < first) {
                        first = at - 1; // the first sample with echoes covers the second before it
                    }
                    if (r == processReceived && processReceived > 0) {
                        last = Math.max(last, at);
                        break;
                    }
                }
            }
            double active = Math.max(1, last - first);
            return new Run(sent, received, 2 * received, active, cpuMillis);
        } finally {
            for (Process p : running) {
                p.destroyForcibly();
            }
            for (Path log : logs) {
                Files.deleteIfExists(log);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 10), lines.length));
    }
}
