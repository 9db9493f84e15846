package chatmail.bench.turn;

import chatmail.bench.JvmHeap;
import chatmail.bench.MachineInfo;
import chatmail.bench.ProcessMemory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code chatmail bench turn}: our TURN server and coturn side by side on loopback, driven by
 * the same client (coturn's {@code turnutils_uclient}): relayed packets per second, the server's
 * CPU per 1,000 packets (from {@code /proc/<pid>/stat}), memory per allocation and time to
 * allocate. The servers run at the same time on their own addresses and port ranges; the load
 * runs alternate between them so machine noise hits both alike.
 */
public final class TurnBench {

    public record Options(int runs, int processes, int clientsPerProcess, int packets, int size, int allocations,
                          String oursHost, String coturnHost, String peerHost, int port) {}

    private record Figures(String name, List<UclientLoad.Run> runs, double rssPerAllocation, double heapPerAllocation,
                           double allocateP50Ms, double allocateP99Ms) {}

    private TurnBench() {}

    public static boolean run(Options o, PrintWriter out) throws IOException, InterruptedException {
        for (var program : List.of(CoturnProcess.PROGRAM, UclientLoad.PROGRAM, EchoPeerProcess.PROGRAM)) {
            if (!Files.isExecutable(program)) {
                throw new IOException(program + " is missing: install the Debian package coturn "
                        + "(scripts/install-test-deps)");
            }
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        UclientLoad load = new UclientLoad(o.processes(), o.clientsPerProcess(), o.packets(), o.size(), secret,
                o.peerHost(), 3480);
        out.println("bench turn: " + MachineInfo.describe());
        out.println("load: " + load.describe());
        out.flush();
        Map<String, Figures> figures = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        OurTurnProcess oursProcess = null;
        try (EchoPeerProcess peer = EchoPeerProcess.start(o.peerHost(), 3480);
             OurTurnProcess ours = OurTurnProcess.start(o.oursHost(), o.port(), secret, 40000, 44999);
             CoturnProcess coturn = CoturnProcess.start(o.coturnHost(), o.port(), secret, 45000, 49999)) {
            oursProcess = ours;
            List<TurnUnderTest> servers = List.of(ours, coturn);
            for (TurnUnderTest server : servers) {
                AllocationHolder.awaitAllocating(server.address(), secret, java.time.Duration.ofSeconds(30));
                // One load run first, not counted: the JIT compiles our relay path (its CPU would
                // count), and both servers start the measured runs with their sockets and buffers warm.
                UclientLoad.Run warm = load.run(server, 10);
                out.printf(Locale.ROOT, "  warm-up %-6s: %d sent, %d echoed%n", server.name(), warm.sent(), warm.received());
            }
            Map<String, double[]> memory = new LinkedHashMap<>();
            for (TurnUnderTest server : servers) {
                notes.add(server.describe());
                memory.put(server.name(), allocations(server, secret, o.allocations(), out));
            }
            Map<String, List<UclientLoad.Run>> runs = new LinkedHashMap<>();
            servers.forEach(s -> runs.put(s.name(), new ArrayList<>()));
            for (int i = 0; i < o.runs(); i++) {
                for (TurnUnderTest server : servers) {
                    UclientLoad.Run r = load.run(server, 11 + i);
                    runs.get(server.name()).add(r);
                    out.printf(Locale.ROOT, "  run %d %-6s: %d sent, %d echoed (%.2f %% lost), ≈%.0f packets/s over %.0f s, "
                                    + "%d ms CPU, %.0f packets per CPU second; load average %.1f%n",
                            i + 1, server.name(), r.sent(), r.received(), r.lossPercent(), r.packetsPerSecond(),
                            r.activeSeconds(), r.cpuMillis(), r.packetsPerCpuSecond(), MachineInfo.load1m());
                    out.flush();
                }
            }
            for (TurnUnderTest server : servers) {
                double[] m = memory.get(server.name());
                figures.put(server.name(), new Figures(server.name(), runs.get(server.name()), m[0], m[1], m[2], m[3]));
            }
        }
        if (!oursProcess.stoppedLine().isEmpty()) {
            notes.add("ours counted, over all runs with warm-up and allocations: " + oursProcess.stoppedLine());
        }
        print(out, o, load, figures, notes);
        return true;
    }

    /** RSS (and for ours the live heap) per allocation over {@code n} held allocations, and the time each took. */
    private static double[] allocations(TurnUnderTest server, String secret, int n, PrintWriter out) throws IOException {
        boolean jvm = server instanceof OurTurnProcess;
        // As many allocations made and deleted first: the bench's own client and the server's
        // allocation path are compiled before any is timed, whichever server comes first.
        try (AllocationHolder warm = new AllocationHolder(server.address(), secret)) {
            warm.allocate(n);
        }
        long heap0 = jvm ? JvmHeap.liveBytes(server.pid()) : -1;
        long rss0 = ProcessMemory.ofTree(server.pid()).rssBytes();
        List<Long> times;
        long rss1;
        long heap1;
        try (AllocationHolder holder = new AllocationHolder(server.address(), secret)) {
            times = holder.allocate(n);
            rss1 = ProcessMemory.ofTree(server.pid()).rssBytes();
            heap1 = jvm ? JvmHeap.liveBytes(server.pid()) : -1;
        }
        List<Long> sorted = times.stream().sorted().toList();
        double p50 = sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1e6;
        double rssPer = (rss1 - rss0) / (double) n;
        double heapPer = jvm && heap0 >= 0 && heap1 >= 0 ? (heap1 - heap0) / (double) n : Double.NaN;
        out.printf(Locale.ROOT, "  %-6s: %d allocations held: RSS %+.0f KiB (%.2f KiB each)%s; allocate p50 %.2f ms, p99 %.2f ms%n",
                server.name(), n, (rss1 - rss0) / 1024.0, rssPer / 1024,
                Double.isNaN(heapPer) ? "" : String.format(Locale.ROOT, ", live heap %.2f KiB each", heapPer / 1024), p50, p99);
        out.flush();
        return new double[] {rssPer, heapPer, p50, p99};
    }

    private static void print(PrintWriter out, Options o, UclientLoad load, Map<String, Figures> figures, List<String> notes) {
        Figures ours = figures.get("ours");
        Figures coturn = figures.get("coturn");
        out.println();
        out.println("Machine: " + MachineInfo.describe());
        out.println("Load: " + load.describe() + "; " + o.runs() + " runs per server, alternating; medians.");
        notes.forEach(n -> out.println("- " + n));
        out.println();
        out.println("| figure | ours | coturn | ours ÷ coturn |");
        out.println("|---|---:|---:|---:|");
        row(out, "relayed packets/s (≈, wall clock, " + o.size() + "-byte payloads)", ours, coturn,
                UclientLoad.Run::packetsPerSecond, 0, "higher is better");
        row(out, "relayed packets per CPU second of the server (per core)", ours, coturn,
                UclientLoad.Run::packetsPerCpuSecond, 0, "higher is better");
        row(out, "server CPU per 1,000 relayed packets (ms)", ours, coturn, UclientLoad.Run::cpuMillisPer1000, 3,
                "lower is better");
        row(out, "echoes lost (%)", ours, coturn, UclientLoad.Run::lossPercent, 2, null);
        // Ours is a JVM: allocations land in heap it committed before, so its RSS hardly moves;
        // what an allocation costs it is the live heap it adds (plus two 28-byte native socket
        // addresses). The larger of the two is compared with coturn's RSS growth.
        double oursMemory = Math.max(ours.rssPerAllocation(), ours.heapPerAllocation());
        out.printf(Locale.ROOT, "| memory per allocation (KiB), %d held: ours the larger of RSS and live-heap growth, coturn RSS "
                        + "| %.2f | %.2f | %s |%n", o.allocations(), oursMemory / 1024, coturn.rssPerAllocation() / 1024,
                ratio(oursMemory, coturn.rssPerAllocation(), "lower is better"));
        out.printf(Locale.ROOT, "| of which RSS growth / live heap after a full GC (KiB) | %.2f / %.2f | %.2f / – | |%n",
                ours.rssPerAllocation() / 1024, ours.heapPerAllocation() / 1024, coturn.rssPerAllocation() / 1024);
        out.printf(Locale.ROOT, "| time to allocate, 401 + Allocate, p50 (ms) | %.2f | %.2f | %s |%n",
                ours.allocateP50Ms(), coturn.allocateP50Ms(), ratio(ours.allocateP50Ms(), coturn.allocateP50Ms(), "lower is better"));
        out.printf(Locale.ROOT, "| time to allocate p99 (ms) | %.2f | %.2f | %s |%n",
                ours.allocateP99Ms(), coturn.allocateP99Ms(), ratio(ours.allocateP99Ms(), coturn.allocateP99Ms(), "lower is better"));
        out.flush();
    }

    private static void row(PrintWriter out, String label, Figures ours, Figures coturn,
                            ToDoubleFunction<UclientLoad.Run> f, int decimals, String better) {
        double a = median(ours.runs(), f);
        double b = median(coturn.runs(), f);
        String format = "%." + decimals + "f";
        out.printf(Locale.ROOT, "| %s | " + format + " | " + format + " | %s |%n", label, a, b, better == null ? "" : ratio(a, b, better));
    }

    private static String ratio(double a, double b, String better) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? "–" : String.format(Locale.ROOT, "%.2f (%s)", a / b, better);
    }

    private static double median(List<UclientLoad.Run> runs, ToDoubleFunction<UclientLoad.Run> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
