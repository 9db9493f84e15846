package chatmail.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Our relay and the Postfix + Dovecot baseline side by side in one invocation: start both,
 * measure start-up (ours: first start with a fresh data directory, then restarts; the
 * baseline's script always starts its daemons on prepared configuration) and idle memory, run every scenario several times alternating between the
 * servers (so machine noise hits both alike), optionally the capacity runs, print the table.
 */
public final class Comparison {

    /** Everything measured about one server. */
    public record TargetReport(String name, Duration startup, List<Duration> startups, Duration firstStart, ProcessMemory idleAfterStart, Optional<Long> heapAfterStart,
                               ProcessMemory afterLoad, Map<String, ScenarioSummary> scenarios,
                               List<CapacityRun.Result> capacity, String watch, String durability, String notes) {}

    private final CompareOptions options;
    private final PrintWriter out;
    private final ClientTls tls = new ClientTls(Duration.ofSeconds(30));

    public Comparison(CompareOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    public List<TargetReport> run() throws IOException, InterruptedException {
        List<ServerUnderTest> servers = new ArrayList<>();
        List<TargetSession> sessions = new ArrayList<>();
        Thread cleanup = new Thread(() -> {
            sessions.forEach(TargetSession::close);
            servers.forEach(ServerUnderTest::close);
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            int baselineAccounts = Math.max(options.accounts(), Math.min(options.baselineCapacity(), 20000));
            // Start-up is measured over several fresh starts; the last start is the one loaded.
            Map<String, List<Duration>> startups = new LinkedHashMap<>();
            Duration firstStart = null;
            if (options.ours()) {
                progress("starting our relay on %s: once with a fresh data directory, then %d restarts", options.oursAddress(),
                        options.startups());
                OurRelayProcess ours = OurRelayProcess.start(OurRelayProcess.Start.on(options.oursAddress(),
                        options.sources(), options.relayJvmOptions(), Duration.ofSeconds(60)));
                firstStart = ours.startup();
                for (int i = 1; i <= options.startups(); i++) {
                    java.nio.file.Path dir = ours.stopKeepingData();
                    ours = OurRelayProcess.start(OurRelayProcess.Start.on(options.oursAddress(), options.sources(),
                            options.relayJvmOptions(), Duration.ofSeconds(60)).reusing(dir));
                    startups.computeIfAbsent("ours", k -> new ArrayList<>()).add(ours.startup());
                }
                servers.add(ours);
            }
            if (options.baseline()) {
                progress("starting Postfix + Dovecot on %s (scripts/bench-baseline, %d times)", options.baselineAddress(),
                        options.startups());
                for (int i = 1; i <= options.startups(); i++) {
                    BaselineServers baseline = BaselineServers.start(options.baselineScript(), options.baselineAddress(),
                            baselineAccounts, options.sources());
                    startups.computeIfAbsent("baseline", k -> new ArrayList<>()).add(baseline.startup());
                    if (i < options.startups()) {
                        baseline.close();
                    } else {
                        servers.add(baseline);
                    }
                }
            }
            Map<String, ProcessMemory> idle = new LinkedHashMap<>();
            Map<String, Optional<Long>> idleHeap = new LinkedHashMap<>();
            Thread.sleep(2000);
            for (ServerUnderTest s : servers) {
                idleHeap.put(s.target().name(), s.liveHeap());
                idle.put(s.target().name(), s.memory());
                progress("%s: started in %d ms, idle RSS %.1f MiB (PSS %.1f MiB, %d processes)", s.target().name(),
                        s.startup().toMillis(), idle.get(s.target().name()).rssMiB(), idle.get(s.target().name()).pssMiB(),
                        idle.get(s.target().name()).processes());
            }
            for (ServerUnderTest s : servers) {
                progress("%s: logging in %d accounts, opening their IDLE connections", s.target().name(), options.accounts());
                sessions.add(TargetSession.open(s, tls, options.accounts(), options.drainTimeout()));
                progress("%s: deliveries watched by %s", s.target().name(), sessions.getLast().watchDescription());
            }
            PgpMimeMessages messages = new PgpMimeMessages();
            Map<Integer, PgpMimeMessages.Template> templates = new LinkedHashMap<>();
            for (LoadScenario sc : options.scenarios()) {
                templates.computeIfAbsent(sc.messageSize(), messages::template);
            }
            LoadScenario warmUp = new LoadScenario("warm-up", options.smallSize(), options.senders(), 0, Duration.ofSeconds(3));
            for (TargetSession session : options.runs() > 0 ? sessions : List.<TargetSession>of()) {
                progress("%s: warm-up (3 s saturation, not reported)", session.server().target().name());
                progress("  %s", session.run(warmUp, templates.get(options.smallSize())).summary());
            }
            Map<String, Map<String, List<LoadResult>>> results = new LinkedHashMap<>();
            for (LoadScenario sc : options.scenarios()) {
                for (int run = 1; run <= options.runs(); run++) {
                    for (TargetSession session : sessions) {
                        LoadResult r = session.run(sc, templates.get(sc.messageSize()));
                        progress("run %d/%d %s", run, options.runs(), r.summary());
                        results.computeIfAbsent(session.server().target().name(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(sc.name(), k -> new ArrayList<>()).add(r);
                    }
                }
            }
            Map<String, ProcessMemory> afterLoad = new LinkedHashMap<>();
            for (TargetSession session : sessions) {
                afterLoad.put(session.server().target().name(), session.server().memory());
                if (session.watchFailures() > 0) {
                    progress("%s: %d watch connections broke", session.server().target().name(), session.watchFailures());
                }
                session.close();
            }
            Map<String, List<CapacityRun.Result>> capacity = new LinkedHashMap<>();
            for (ServerUnderTest s : servers) {
                int n = s instanceof BaselineServers ? options.baselineCapacity() : options.capacity();
                if (n <= 0 || !s.target().hasImap()) {
                    continue;
                }
                for (boolean compress : new boolean[] {false, true}) {
                    progress("%s: capacity run, %d idle IMAP connections%s", s.target().name(), n,
                            compress ? " with COMPRESS" : "");
                    int accounts = s instanceof BaselineServers ? baselineAccounts : n;
                    CapacityRun.Result r = CapacityRun.run(s, tls, n, accounts, compress, 32, Duration.ofSeconds(5), out);
                    progress("  %s", r.summary());
                    capacity.computeIfAbsent(s.target().name(), k -> new ArrayList<>()).add(r);
                }
            }
            List<TargetReport> reports = new ArrayList<>();
            for (int i = 0; i < servers.size(); i++) {
                ServerUnderTest s = servers.get(i);
                String name = s.target().name();
                Map<String, ScenarioSummary> summaries = new LinkedHashMap<>();
                boolean watched = sessions.get(i).watched();
                results.getOrDefault(name, Map.of()).forEach((scenario, runs) -> summaries.put(scenario,
                        new ScenarioSummary(name, runs.getFirst().scenario(), runs, watched)));
                List<Duration> starts = startups.getOrDefault(name, List.of(s.startup()));
                Duration medianStart = Duration.ofNanos((long) Stats.median(starts.stream().mapToDouble(Duration::toNanos).toArray()));
                reports.add(new TargetReport(name, medianStart, starts, s instanceof OurRelayProcess ? firstStart : null,
                        idle.get(name), idleHeap.get(name), afterLoad.get(name),
                        summaries, capacity.getOrDefault(name, List.of()), sessions.get(i).watchDescription(), s.durability(), s.notes()));
            }
            return reports;
        } finally {
            cleanup.run();
            sessions.clear();
            servers.clear();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // Already shutting down; the hook has run.
            }
        }
    }

    private void progress(String format, Object... args) {
        out.printf("bench: " + format + "%n", args);
        out.flush();
    }
}
