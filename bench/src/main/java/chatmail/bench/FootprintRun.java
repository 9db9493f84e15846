package chatmail.bench;

import chatmail.account.PasswordHasher;
import chatmail.store.sqlite.SqliteMailStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * {@code chatmail bench footprint}: PERF-1 measured through the launcher, for one or more
 * subjects side by side in one invocation (this checkout, the starting point's checkout, the
 * same launcher with other JVM options): restart-to-ready and the first start, idle memory,
 * memory and throughput over a long saturation, and a relay with many accounts and IDLE
 * connections inside a memory-limited cgroup.
 */
public final class FootprintRun {

    /** What is measured; all by default. */
    public enum Part { STARTUP, SATURATION, CGROUP }

    /** One relay set-up: a launcher and the CHATMAIL_JAVA_OPTS it is given. */
    public record Subject(String name, Path launcher, String javaOptions) {}

    public record Options(List<Subject> subjects, String address, List<InetAddress> sources, Set<Part> parts,
                          int restarts, Duration idleSettle, int idleSamples, Duration saturation, Duration saturationRun, int accounts,
                          int senders, int cgroupAccounts, int idleConnections, long cgroupLimitBytes,
                          Duration cgroupLoad, Duration drainTimeout) {}

    /** A saturation of one subject: the runs by message size, and memory during and after. */
    public record Saturation(Map<Integer, List<LoadResult>> runs, ResidentMemory atEnd, long peakRssBytes,
                             ResidentMemory rested, Duration rest) {
        public boolean clean() {
            return runs.values().stream().flatMap(List::stream).allMatch(r -> r.clean() && r.delivered() == r.accepted());
        }
    }

    /**
     * The many-accounts run.
     *
     * @param how the cgroup's description, or why there was none
     * @param peakChargedBytes the cgroup's peak charge (memory and page cache); -1 without a cgroup
     */
    public record Crowd(String how, boolean cgroup, int accounts, int requested, int opened, int held, boolean survived,
                        long peakChargedBytes, long oomKills, long limitHits, ResidentMemory relay, List<LoadResult> load,
                        String problem) {
        public boolean clean() {
            return survived && held == requested && oomKills <= 0 && problem == null
                    && load.stream().allMatch(r -> r.clean() && r.delivered() == r.accepted());
        }
    }

    /**
     * @param idle the median of {@code idleSamples} by total RSS (one sample, not a mix of several)
     * @param idleSamples idle memory after each of the last restarts, in order
     */
    public record Report(Subject subject, LaunchedRelay.Start firstStart, List<LaunchedRelay.Start> restarts,
                         ResidentMemory idle, List<ResidentMemory> idleSamples, Saturation saturation, Crowd crowd) {}

    /** The sample with the median total (the lower middle one of an even count); null for none. */
    static ResidentMemory medianByTotal(List<ResidentMemory> samples) {
        if (samples.isEmpty()) {
            return null;
        }
        List<ResidentMemory> sorted = samples.stream().sorted(java.util.Comparator.comparingLong(ResidentMemory::totalBytes)).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private final Options options;
    private final PrintWriter out;
    private final ClientTls tls = new ClientTls(Duration.ofSeconds(30));
    private final List<LaunchedRelay> running = Collections.synchronizedList(new ArrayList<>());
    private final Path work;

    public FootprintRun(Options options, PrintWriter out) throws IOException {
        this.options = options;
        this.out = out;
        this.work = Files.createTempDirectory("chatmail-bench-footprint");
    }

    public List<Report> run() throws IOException, InterruptedException {
        Thread cleanup = new Thread(() -> List.copyOf(running).forEach(LaunchedRelay::close), "footprint-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Map<String, LaunchedRelay.Start> first = new LinkedHashMap<>();
            Map<String, List<LaunchedRelay.Start>> restarts = new LinkedHashMap<>();
            Map<String, List<ResidentMemory>> idle = new LinkedHashMap<>();
            if (options.parts().contains(Part.STARTUP)) {
                for (Subject s : options.subjects()) {
                    // Not measured: brings the launcher's record and AOT cache up to date, and warms the
                    // page cache and this process's TLS client, which would otherwise count in the first start.
                    progress("%s: warm-up start (%s)", s.name(), describe(s));
                    stop(launch(s, dir(s, "warm-up"), UnaryOperator.identity()));
                }
                for (Subject s : options.subjects()) {
                    LaunchedRelay r = launch(s, dir(s, "relay"), UnaryOperator.identity());
                    first.put(s.name(), r.start());
                    progress("%s: first start (fresh data directory): ready in %d ms", s.name(), r.start().ready().toMillis());
                    stop(r);
                }
                // Restarts alternate between the subjects, so machine noise hits all alike.
                for (int i = 1; i <= options.restarts(); i++) {
                    for (Subject s : options.subjects()) {
                        LaunchedRelay r = launch(s, dir(s, "relay"), UnaryOperator.identity());
                        restarts.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(r.start());
                        progress("%s: restart %d/%d: ready in %d ms (465 TLS + 220 in %d ms), %d ms CPU", s.name(), i,
                                options.restarts(), r.start().ready().toMillis(), r.start().submissions().toMillis(),
                                r.start().cpu().toMillis());
                        // One reading moves by up to ~20 MiB with when the native heap's trims and the
                        // compilations after the warm-up fall: several restarts give a median.
                        if (i > options.restarts() - options.idleSamples()) {
                            Thread.sleep(options.idleSettle());
                            ResidentMemory now = r.resident();
                            idle.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(now);
                            progress("%s: idle %s", s.name(), now.describe());
                        }
                        stop(r);
                    }
                }
            }
            Map<String, Saturation> saturation = options.parts().contains(Part.SATURATION) ? saturateAll() : Map.of();
            Map<String, Crowd> crowd = new LinkedHashMap<>();
            if (options.parts().contains(Part.CGROUP)) {
                for (Subject s : options.subjects()) {
                    crowd.put(s.name(), crowd(s));
                }
            }
            List<Report> reports = new ArrayList<>();
            for (Subject s : options.subjects()) {
                List<ResidentMemory> idleSamples = idle.getOrDefault(s.name(), List.of());
                reports.add(new Report(s, first.get(s.name()), restarts.getOrDefault(s.name(), List.of()),
                        medianByTotal(idleSamples), idleSamples,
                        saturation.get(s.name()), crowd.get(s.name())));
            }
            return reports;
        } finally {
            cleanup.run();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Already shutting down; the hook has run.
            }
            OurRelayProcess.deleteTree(work);
        }
    }

    /**
     * Saturation with each subject's default settings, alternating 4 KiB and 200 KiB runs. The
     * subjects' relays run side by side on their own addresses and take turns run by run, so
     * machine noise hits all alike; each gets the whole saturation time.
     */
    private Map<String, Saturation> saturateAll() throws IOException, InterruptedException {
        List<Subject> subjects = options.subjects();
        List<LaunchedRelay> relays = new ArrayList<>();
        List<TargetSession> sessions = new ArrayList<>();
        List<AtomicLong> peaks = new ArrayList<>();
        List<Thread> samplers = new ArrayList<>();
        Map<String, Saturation> result = new LinkedHashMap<>();
        try {
            for (int i = 0; i < subjects.size(); i++) {
                Subject s = subjects.get(i);
                String address = nthAddress(options.address(), i);
                LaunchedRelay relay = LaunchedRelay.start(s.name(), s.launcher(), s.javaOptions(), dir(s, "saturation"), address,
                        options.sources(), tls, Duration.ofMinutes(5), UnaryOperator.identity());
                running.add(relay);
                relays.add(relay);
                AtomicLong peak = new AtomicLong();
                peaks.add(peak);
                samplers.add(Thread.ofVirtual().start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        ResidentMemory m = relay.resident();
                        if (m.known()) {
                            peak.accumulateAndGet(m.totalBytes(), Math::max);
                        }
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
                progress("%s: saturation on %s, %d s in runs of %d s alternating 4 KiB and 200 KiB, %d senders, %d accounts"
                                + " watched by IDLE", s.name(), address, options.saturation().toSeconds(),
                        options.saturationRun().toSeconds(), options.senders(), options.accounts());
                sessions.add(TargetSession.open(relay, tls, options.accounts(), options.drainTimeout()));
            }
            PgpMimeMessages messages = new PgpMimeMessages();
            Map<Integer, PgpMimeMessages.Template> templates = Map.of(4096, messages.template(4096),
                    200 * 1024, messages.template(200 * 1024));
            List<Map<Integer, List<LoadResult>>> runs = new ArrayList<>();
            List<ResidentMemory> atEnd = new ArrayList<>();
            subjects.forEach(s -> runs.add(new LinkedHashMap<>()));
            long left = options.saturation().toMillis();
            for (int i = 0; left >= 1000; i++) {
                int size = i % 2 == 0 ? 4096 : 200 * 1024;
                Duration length = Duration.ofMillis(Math.min(left, options.saturationRun().toMillis()));
                left -= length.toMillis();
                for (int k = 0; k < subjects.size(); k++) {
                    LoadResult r = sessions.get(k).run(new LoadScenario("saturation " + size / 1024 + " KiB", size,
                            options.senders(), 0, length), templates.get(size));
                    runs.get(k).computeIfAbsent(size, x -> new ArrayList<>()).add(r);
                    progress("  %s; RSS now %.1f MiB", r.summary(), relays.get(k).resident().totalMiB());
                    if (left < 1000) {
                        atEnd.add(relays.get(k).resident());
                    }
                }
            }
            sessions.forEach(TargetSession::close);
            sessions.clear();
            Duration rest = options.idleSettle().multipliedBy(6);
            for (int k = 0; k < subjects.size(); k++) {
                progress("%s: after the saturation %s, peak %.1f MiB", subjects.get(k).name(), atEnd.get(k).describe(),
                        peaks.get(k).get() / 1048576.0);
            }
            progress("resting %d s", rest.toSeconds());
            Thread.sleep(rest);
            for (int k = 0; k < subjects.size(); k++) {
                ResidentMemory rested = relays.get(k).resident();
                progress("%s: after resting, %s", subjects.get(k).name(), rested.describe());
                result.put(subjects.get(k).name(), new Saturation(runs.get(k), atEnd.get(k), peaks.get(k).get(), rested, rest));
            }
            return result;
        } finally {
            samplers.forEach(Thread::interrupt);
            sessions.forEach(TargetSession::close);
            relays.forEach(this::stop);
        }
    }

    /** The loopback address {@code n} after {@code first} (127.0.0.22 → 127.0.0.23 for n = 1). */
    static String nthAddress(String first, int n) {
        int dot = first.lastIndexOf('.');
        return first.substring(0, dot + 1) + (Integer.parseInt(first.substring(dot + 1)) + n);
    }

    /**
     * Many accounts written through the store (one precomputed password hash: distinct
     * SHA512-CRYPT hashes for all would take minutes of CPU and test nothing here), the relay in
     * a memory-limited cgroup, many IDLE connections held, then a saturation on top.
     */
    private Crowd crowd(Subject s) throws IOException, InterruptedException {
        Path dir = dir(s, "crowd");
        String address = options.address();
        progress("%s: writing %d accounts through the store", s.name(), options.cgroupAccounts());
        writeAccounts(dir.resolve("data"), options.cgroupAccounts());
        String[] why = new String[1];
        Optional<MemoryCgroup> cgroup = MemoryCgroup.create("chatmail-bench-" + ProcessHandle.current().pid() + "-" + s.name(),
                options.cgroupLimitBytes(), why);
        String how = cgroup.map(MemoryCgroup::describe).orElse("no cgroup (" + why[0] + "): peak RSS only");
        progress("%s: %s", s.name(), how);
        LaunchedRelay relay = null;
        List<ImapIdler> idlers = Collections.synchronizedList(new ArrayList<>());
        List<LoadResult> load = new ArrayList<>();
        String problem = null;
        int held = 0;
        try {
            relay = launch(s, dir, cgroup.<UnaryOperator<List<String>>>map(c -> c::wrap).orElse(UnaryOperator.identity()));
            BenchTarget target = relay.target();
            // The saturation's own accounts come first; the idle connections use the ones after them.
            int loadAccounts = Math.min(options.accounts(), options.cgroupAccounts() / 4);
            AtomicInteger failures = new AtomicInteger();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            long t0 = System.nanoTime();
            Semaphore permits = new Semaphore(32);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < options.idleConnections(); i++) {
                    int account = loadAccounts + i % (options.cgroupAccounts() - loadAccounts);
                    permits.acquire();
                    pool.submit(() -> {
                        try {
                            idlers.add(ImapIdler.open(tls, target.nextSource(), target.host(), target.imapsPort(),
                                    target.address(account), target.password(), false));
                        } catch (IOException | RuntimeException e) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, e.toString());
                        } finally {
                            permits.release();
                        }
                    });
                }
            }
            progress("%s: %d of %d IDLE connections open in %.1f s%s; %s", s.name(), idlers.size(), options.idleConnections(),
                    (System.nanoTime() - t0) / 1e9, firstFailure.get() == null ? "" : " (first failure: " + firstFailure.get() + ")",
                    relay.resident().describe());
            try (TargetSession session = TargetSession.open(relay, tls, loadAccounts, options.drainTimeout())) {
                PgpMimeMessages messages = new PgpMimeMessages();
                for (int size : new int[] {4096, 200 * 1024}) {
                    LoadResult r = session.run(new LoadScenario("saturation " + size / 1024 + " KiB", size, options.senders(), 0,
                            options.cgroupLoad()), messages.template(size));
                    load.add(r);
                    progress("  %s; %s", r.summary(), relay.resident().describe());
                }
            }
            AtomicInteger stillIdle = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (ImapIdler c : List.copyOf(idlers)) {
                    permits.acquire();
                    pool.submit(() -> {
                        try {
                            if (c.endIdle(30_000)) {
                                stillIdle.incrementAndGet();
                            }
                        } finally {
                            permits.release();
                        }
                    });
                }
            }
            held = stillIdle.get();
        } catch (IOException e) {
            problem = e.getMessage();
            progress("%s: %s", s.name(), problem);
        } finally {
            idlers.forEach(ImapIdler::close);
        }
        boolean survived = relay != null && relay.alive();
        ResidentMemory memory = relay != null ? relay.resident() : new ResidentMemory(-1, -1, -1, -1);
        if (relay != null) {
            stop(relay);
        }
        long peak = cgroup.map(MemoryCgroup::peakBytes).orElse(-1L);
        long oom = cgroup.map(MemoryCgroup::oomKills).orElse(-1L);
        long hits = cgroup.map(MemoryCgroup::limitHits).orElse(-1L);
        cgroup.ifPresent(MemoryCgroup::close);
        Crowd c = new Crowd(how, cgroup.isPresent(), options.cgroupAccounts(), options.idleConnections(), idlers.size(), held,
                survived, peak, oom, hits, memory, load, problem);
        progress("%s: %s; %d of %d IDLE connections held to the end; relay peak RSS %.1f MiB%s", s.name(),
                survived ? "the relay survived" : "THE RELAY DID NOT SURVIVE", held, options.idleConnections(), memory.peakMiB(),
                cgroup.isPresent() ? String.format(java.util.Locale.ROOT, ", cgroup peak %.1f MiB, %d OOM kills, limit hit %d times",
                        peak / 1048576.0, oom, hits) : "");
        return c;
    }

    /** Accounts b00000001 … written by the store itself, all with the same password hash. */
    private static void writeAccounts(Path dataDir, int n) throws IOException, InterruptedException {
        String hash = new PasswordHasher().hash(BenchTarget.DEFAULT_PASSWORD);
        BenchTarget names = new BenchTarget("ours", "", 0, 0, LaunchedRelay.DOMAIN, BenchTarget.DEFAULT_PASSWORD, List.of());
        LocalDate today = LocalDate.now(Clock.systemUTC());
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, Clock.systemUTC())) {
            // Concurrent writes share commits (the store's group commit), so this takes seconds, not minutes.
            Parallel.forEach(n, 64, i -> store.createAccountIfAbsent(names.address(i), hash, today));
        }
    }

    private LaunchedRelay launch(Subject s, Path dir, UnaryOperator<List<String>> wrapper) throws IOException, InterruptedException {
        // A first start after a build trains the AOT cache first (about half a minute, longer on a busy machine).
        LaunchedRelay r = LaunchedRelay.start(s.name(), s.launcher(), s.javaOptions(), dir, options.address(), options.sources(), tls,
                Duration.ofMinutes(5), wrapper);
        running.add(r);
        return r;
    }

    private void stop(LaunchedRelay r) {
        r.close();
        running.remove(r);
    }

    private Path dir(Subject s, String purpose) {
        return work.resolve(s.name()).resolve(purpose);
    }

    private static String describe(Subject s) {
        return s.launcher() + (s.javaOptions().isBlank() ? "" : " with CHATMAIL_JAVA_OPTS=" + s.javaOptions());
    }

    private void progress(String format, Object... args) {
        out.printf("bench: " + format + "%n", args);
        out.flush();
    }

    /** The parts named in a comma-separated list ("startup,saturation,cgroup"). */
    public static Set<Part> parts(String list) {
        Set<Part> parts = EnumSet.noneOf(Part.class);
        for (String p : list.split(",")) {
            parts.add(Part.valueOf(p.trim().toUpperCase(java.util.Locale.ROOT)));
        }
        return parts;
    }
}
