package chatmail.bench.hostile;

import chatmail.bench.AccountSetup;
import chatmail.bench.BenchTarget;
import chatmail.bench.ClientTls;
import chatmail.bench.DeliveryTracker;
import chatmail.bench.ImapIdleWatch;
import chatmail.bench.LoadResult;
import chatmail.bench.LoadRunner;
import chatmail.bench.LoadScenario;
import chatmail.bench.MachineInfo;
import chatmail.bench.OurRelayProcess;
import chatmail.bench.PgpMimeMessages;
import chatmail.bench.SmtpSubmitter;
import chatmail.bench.Stats;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * {@code chatmail bench hostile} (issue 11): our relay in its own process, with the default
 * connection and login limits, carries legitimate mail at a fixed rate to recipients that
 * watch by IMAP IDLE, first alone (baseline phase), then while every attack of the issue runs
 * from other loopback addresses (attack phase). It reports the legitimate delivery latency and
 * the relay's RSS of both phases, the RSS spread over the last minute of attack, what each
 * attacker was answered, and, after a SIGKILL in the middle of a last run and a restart, how
 * many acknowledged messages are missing.
 */
public final class HostileBench {

    /**
     * @param address loopback address of the relay (its ports are the standard ones there)
     * @param flatWindow the closing part of the attack phase whose RSS must be flat
     * @param only keys of the attacks to run ({@link #ATTACK_KEYS}); empty: all
     * @param attackersInProcess the attackers on threads of the bench's JVM (as before) instead of a child process
     * @param attackersNice the child process's {@code nice -n} increment
     * @param attackersIdle the child process scheduled as SCHED_IDLE
     */
    public record Options(String address, int accounts, int senders, double rate, int runs, Duration runDuration,
                          Duration ramp, Duration flatWindow, boolean smoke, int dnsPort, int metricsPort,
                          List<String> jvmOptions, Set<String> only, boolean attackersInProcess, int attackersNice,
                          boolean attackersIdle) {}

    private record Ack(int recipient, String messageId) {}

    /** The attacks by the key {@code --attacks} takes, in the order they start. */
    public static final List<String> ATTACK_KEYS = HostileAttacks.KEYS;

    private final Options o;
    private final PrintWriter out;
    private final ClientTls tls = new ClientTls(Duration.ofSeconds(30));

    private HostileBench(Options o, PrintWriter out) {
        this.o = o;
        this.out = out;
    }

    /** Runs the bench; true when nothing acknowledged went missing, nothing legitimate was lost and (full runs) every goal was met. */
    public static boolean run(Options o, PrintWriter out) throws IOException, InterruptedException {
        return new HostileBench(o, out).run();
    }

    private boolean run() throws IOException, InterruptedException {
        String started = Instant.now().toString();
        progress("hostile: %s; %s", o.smoke() ? "smoke run" : "full run", MachineInfo.describe());
        Map<String, String> overrides = new LinkedHashMap<>();
        // Every listener an attacker can reach, on its standard port at the bench's address.
        overrides.put("smtp_port", "25");
        overrides.put("submission_port", "587");
        overrides.put("imap_port", "143");
        overrides.put("https_port", "443");
        overrides.put("turn_port", "0");
        // The default connection caps (OurRelayProcess raises them for capacity runs).
        overrides.put("max_imap_connections", "10000");
        overrides.put("max_smtp_connections", "1000");
        overrides.put("dns_resolver", o.address() + ":" + o.dnsPort());
        overrides.put("metrics_address", o.address() + ":" + o.metricsPort());
        if (o.smoke()) {
            // So that the login deadline fires within the smoke run's few seconds of attack.
            overrides.put("login_timeout", "10s");
        }
        List<InetAddress> legitSources = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            legitSources.add(HostileTarget.address("127.0.1." + i));
        }
        boolean ok = true;
        List<String> goals = new ArrayList<>();
        // Another server on these ports would answer in the relay's place (OurRelayProcess waits for 465 to accept).
        for (int port : List.of(25, 587, 465, 143, 993, 443, o.metricsPort())) {
            if (accepts(o.address(), port)) {
                throw new IOException(o.address() + ":" + port + " is in use by another server; choose another --address");
            }
        }
        try (StubDns dns = new StubDns(o.address(), o.dnsPort())) {
            progress("starting the relay on %s (25, 587, 465, 143, 993, 443; DNS: the bench's stub at port %d)", o.address(), o.dnsPort());
            OurRelayProcess relay = OurRelayProcess.start(OurRelayProcess.Start.on(o.address(), legitSources,
                    o.jvmOptions(), Duration.ofSeconds(90)).overrides(overrides));
            Path dir = null;
            progress("relay started in %.1f s", relay.startup().toMillis() / 1000.0);
            try {
                BenchTarget legit = relay.target();
                HostileTarget target = new HostileTarget(o.address(), 25, 587, 465, 143, 993, 443, legit.domain(), legit.password(),
                        tls, 31_457_280);
                awaitPort(o.address(), 443);
                AccountSetup.loginAll(legit, tls, o.accounts(), 8);
                for (String account : List.of(target.attacker(), target.victim())) {
                    SmtpSubmitter.open(tls, null, o.address(), 465, account, legit.password()).close();
                }
                DeliveryTracker tracker = new DeliveryTracker(o.accounts());
                ImapIdleWatch watch = new ImapIdleWatch(legit, tls, false, 16);
                ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
                LoadRunner.AcceptedListener ackSink = (message, sender, id) -> acks.add(new Ack(message.recipient(), id));
                LoadRunner runner = new LoadRunner(legit, tls, tracker, Duration.ofSeconds(60), true, ackSink);
                PgpMimeMessages.Template template = new PgpMimeMessages().template(4096);
                LoadScenario scenario = new LoadScenario("legitimate 4 KiB", 4096, o.senders(), o.rate(), o.runDuration());
                MetricsScrape metrics = new MetricsScrape(o.address() + ":" + o.metricsPort());
                List<Attack> probe = HostileAttacks.probe(target, o.only());
                Set<String> attackKeys = new HashSet<>(o.only().isEmpty() ? ATTACK_KEYS : o.only());
                attackKeys.remove("probe");
                Attackers attackers = o.attackersInProcess()
                        ? Attackers.inProcess(HostileAttacks.build(target, o.smoke(), attackKeys, dns))
                        : AttackersProcess.start(target, o.smoke(), List.copyOf(attackKeys), o.attackersNice(),
                                o.attackersIdle());
                progress("attackers %s", attackers.description());
                try (RssSampler rss = new RssSampler(relay.pid())) {
                    watch.start(tracker);
                    progress("%d accounts watched by %s; %s, %d runs per phase", o.accounts(), watch.description(),
                            scenario.describe(), o.runs());
                    if (!o.smoke()) {
                        // The smoke run's baseline is not held against anything: no warm-up for it.
                        LoadResult warm = runner.run(new LoadScenario("warm-up", 4096, o.senders(), o.rate(),
                                Duration.ofSeconds(5)), template);
                        progress("warm-up (not reported): %s", warm.summary());
                    }

                    long baselineStart = System.nanoTime();
                    Cpu cpu0 = Cpu.of(relay.pid(), attackers);
                    List<LoadResult> baseline = runs("baseline", runner, scenario, template);
                    long baselineEnd = System.nanoTime();
                    Cpu cpuBaseline = Cpu.of(relay.pid(), attackers).minus(cpu0);
                    Map<String, Double> before = metrics.take();
                    long heapBase = o.smoke() ? -1 : liveHeap(histogram(relay.pid(), 0));

                    progress("attack phase: starting the attacks, %d s to settle", o.ramp().toSeconds());
                    long attackStart = System.nanoTime();
                    Attackers.Counts counts0 = attackers.counts();
                    attackers.start();
                    for (Attack a : probe) {
                        a.start();
                    }
                    Cpu cpu1 = Cpu.of(relay.pid(), attackers);
                    Thread.sleep(o.ramp().toMillis());
                    List<LoadResult> attacked = runs("under attack", runner, scenario, template);
                    long attackEnd = System.nanoTime();
                    Cpu cpuAttack = Cpu.of(relay.pid(), attackers).minus(cpu1);
                    Attackers.Counts achieved = attackers.counts().minus(counts0);
                    Map<String, Double> after = metrics.take();
                    // After the RSS window: the full GC jcmd forces may give memory back.
                    List<String> histogram = o.smoke() ? List.of("(not taken in a smoke run)") : histogram(relay.pid(), 12);
                    long heapAttack = liveHeap(histogram);
                    List<Attack.Row> rows = new ArrayList<>(attackers.rows());
                    for (Attack a : probe) {
                        rows.add(a.row());
                    }
                    if (!o.attackersInProcess()) {
                        rows.replaceAll(r -> r.attack().startsWith("DKIM-heavy") ? withDkimLookups(r, dns) : r);
                    }
                    boolean aliveUnderAttack = relay.isAlive();

                    // SIGKILL in the middle of a last run, the attackers still at it.
                    LoadRunner killRun = new LoadRunner(legit, tls, tracker, Duration.ofSeconds(2), true, ackSink);
                    Duration lastRun = Duration.ofSeconds(o.smoke() ? 4 : 6);
                    LoadScenario last = new LoadScenario("killed mid-run", 4096, o.senders(), o.rate(), lastRun);
                    Thread killer = Thread.ofVirtual().start(() -> {
                        Attack.pause(lastRun.toMillis() / 2);
                        try {
                            relay.killKeepingData();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    LoadResult killed = killRun.run(last, template);
                    killer.join();
                    dir = relay.killKeepingData();
                    progress("SIGKILL %d s into a %d s run: %d accepted before the kill, %d errors after it",
                            lastRun.toSeconds() / 2, lastRun.toSeconds(), killed.accepted(), killed.errors() + killed.refused());
                    rss.close();
                    watch.close();
                    attackers.stop();
                    for (Attack a : probe) {
                        a.stop();
                    }

                    // Restart on the same data directory and look for every acknowledged message.
                    progress("attackers stopped; restarting the relay on the same data directory");
                    OurRelayProcess again = OurRelayProcess.start(OurRelayProcess.Start.on(o.address(), legitSources,
                            o.jvmOptions(), Duration.ofSeconds(90)).reusing(dir).overrides(overrides));
                    progress("restarted; looking up %d acknowledged messages", acks.size());
                    long missing;
                    long acknowledged = acks.size();
                    long victimMessages;
                    try {
                        missing = missing(legit, acks);
                        victimMessages = MailboxCensus.messageIds(tls, legitSources.getFirst(), o.address(), 993, target.victim(),
                                legit.password()).size();
                    } finally {
                        again.stopKeepingData();
                    }

                    ok = report(started, baseline, attacked, rss, baselineStart, baselineEnd, attackStart, attackEnd, rows,
                            MetricsScrape.deltas(before, after), aliveUnderAttack, acknowledged, missing, victimMessages,
                            attackKeys.contains("dkim") ? DkimHeavyAttack.maxLookupsPerMessage(dns.names()) : 0, goals, heapBase,
                            heapAttack, histogram, attackers.description(), achieved, cpuBaseline, cpuAttack);
                } finally {
                    watch.close();
                    attackers.stop();
                    for (Attack a : probe) {
                        a.stop();
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                showLog(relay.directory().resolve("relay.log"));
                throw e;
            } finally {
                if (relay.isAlive()) {
                    dir = relay.stopKeepingData();
                }
                if (dir != null) {
                    OurRelayProcess.deleteData(dir);
                }
            }
        }
        return ok;
    }

    /** The DKIM row of an attack that ran in the child process, with the key lookups the bench's DNS server counted. */
    private static Attack.Row withDkimLookups(Attack.Row r, StubDns dns) {
        List<String> results = new ArrayList<>(r.results());
        results.add(DkimHeavyAttack.lookups(dns.names(), DkimHeavyAttack.sent(r.results())));
        return new Attack.Row(r.attack(), r.limit(), r.replies(), results);
    }

    private List<LoadResult> runs(String phase, LoadRunner runner, LoadScenario scenario, PgpMimeMessages.Template template)
            throws IOException, InterruptedException {
        List<LoadResult> results = new ArrayList<>();
        for (int i = 1; i <= o.runs(); i++) {
            LoadResult r = runner.run(scenario, template);
            progress("%s run %d/%d: %s", phase, i, o.runs(), r.summary());
            results.add(r);
        }
        return results;
    }

    /** Acknowledged messages whose Message-ID is in no recipient's INBOX after the restart. */
    private long missing(BenchTarget legit, ConcurrentLinkedQueue<Ack> acks) throws IOException {
        Map<Integer, Set<String>> expected = new HashMap<>();
        for (Ack a : acks) {
            expected.computeIfAbsent(a.recipient(), k -> new HashSet<>()).add(a.messageId().toLowerCase(Locale.ROOT));
        }
        long missing = 0;
        for (Map.Entry<Integer, Set<String>> e : expected.entrySet()) {
            Set<String> stored = MailboxCensus.messageIds(tls, legit.nextSource(), legit.host(), legit.imapsPort(),
                    legit.address(e.getKey()), legit.password());
            for (String id : e.getValue()) {
                if (!stored.contains(id)) {
                    missing++;
                }
            }
        }
        return missing;
    }

    private boolean report(String started, List<LoadResult> baseline, List<LoadResult> attacked, RssSampler rss,
                           long baselineStart, long baselineEnd, long attackStart, long attackEnd, List<Attack.Row> rows,
                           List<String> metricDeltas, boolean alive, long acknowledged, long missing, long victimMessages,
                           int maxDkimLookups, List<String> goals, long heapBase, long heapAttack, List<String> histogram,
                           String attackersWhere, Attackers.Counts achieved, Cpu cpuBaseline, Cpu cpuAttack) {
        double p50Base = Stats.median(baseline, r -> r.deliveryLatency().percentile(50) / 1e6);
        double p99Base = Stats.median(baseline, r -> r.deliveryLatency().percentile(99) / 1e6);
        double p50Attack = Stats.median(attacked, r -> r.deliveryLatency().percentile(50) / 1e6);
        double p99Attack = Stats.median(attacked, r -> r.deliveryLatency().percentile(99) / 1e6);
        long lost = 0, failed = 0, sent = 0;
        for (LoadResult r : baseline) {
            lost += r.lost();
            failed += r.refused() + r.errors();
            sent += r.sent();
        }
        long attackLost = 0, attackFailed = 0, attackSent = 0;
        for (LoadResult r : attacked) {
            attackLost += r.lost();
            attackFailed += r.refused() + r.errors();
            attackSent += r.sent();
        }
        List<RssSampler.Sample> base = rss.between(baselineStart, baselineEnd);
        long windowStart = Math.max(attackStart, attackEnd - o.flatWindow().toNanos());
        List<RssSampler.Sample> window = rss.between(windowStart, attackEnd);
        double rssBase = RssSampler.medianMiB(base);
        double rssAttackMax = RssSampler.maxMiB(window);
        double spread = RssSampler.spreadPercent(window);
        double ratio = p99Attack / p99Base;

        out.println();
        out.println("## Result");
        out.printf(Locale.ROOT, "started %s; %s%n", started, MachineInfo.describe());
        out.printf(Locale.ROOT, "| | baseline (no attackers) | under attack | goal |%n|---|---|---|---|%n");
        out.printf(Locale.ROOT, "| legitimate delivery p50 (median of %d runs) | %.1f ms | %.1f ms | |%n", o.runs(), p50Base, p50Attack);
        out.printf(Locale.ROOT, "| legitimate delivery p99 (median of %d runs) | %.1f ms | %.1f ms (%.2f×) | ≤ 2× |%n", o.runs(), p99Base,
                p99Attack, ratio);
        out.printf(Locale.ROOT, "| legitimate messages sent / refused or failed / lost | %d / %d / %d | %d / %d / %d | 0 failed, 0 lost |%n",
                sent, failed, lost, attackSent, attackFailed, attackLost);
        out.printf(Locale.ROOT, "| relay RSS | %.1f MiB (median of the phase) | %.1f MiB (max of the last %d s; +%.1f MiB) | ≤ +100 MiB |%n",
                rssBase, rssAttackMax, o.flatWindow().toSeconds(), rssAttackMax - rssBase);
        out.printf(Locale.ROOT, "| RSS over the last %d s of attack | | %.1f … %.1f MiB, ±%.1f %% of its median | ±5 %% |%n",
                o.flatWindow().toSeconds(), RssSampler.minMiB(window), rssAttackMax, spread);
        if (heapBase >= 0 && heapAttack >= 0) {
            out.printf(Locale.ROOT, "| relay live heap after a full GC (jcmd GC.class_histogram), end of the phase | %.1f MiB | %.1f MiB | |%n",
                    heapBase / 1048576.0, heapAttack / 1048576.0);
        }
        out.printf(Locale.ROOT, "| relay alive through the attack phase | | %s | yes |%n", alive ? "yes" : "NO");
        out.printf(Locale.ROOT, "| acknowledged (250) messages missing after SIGKILL and restart | | %d of %d | 0 |%n", missing,
                acknowledged);
        out.printf(Locale.ROOT, "| messages of the attackers stored in the victim's INBOX | | %d | |%n", victimMessages);
        out.println();
        double attackSeconds = (attackEnd - attackStart) / 1e9;
        out.printf(Locale.ROOT, "attackers %s; over the attack phase (%.0f s) they opened %d connections (%.1f/s) and finished %d TLS "
                + "handshakes (%.1f/s)%s%n", attackersWhere, attackSeconds, achieved.connections(), achieved.connections() / attackSeconds,
                achieved.handshakes(), achieved.handshakes() / attackSeconds,
                o.attackersInProcess() ? " (the newcomer probe's included)" : "");
        out.printf(Locale.ROOT, "CPU, baseline phase (%.0f s): %s%n", (baselineEnd - baselineStart) / 1e9, cpuBaseline.describe());
        out.printf(Locale.ROOT, "CPU, attack phase (%.0f s): %s%n", attackSeconds, cpuAttack.describe());
        out.println("load average at the end: " + loadAverage());
        out.println();
        out.println("RSS samples (s since the baseline phase began: MiB):");
        StringBuilder line = new StringBuilder();
        for (RssSampler.Sample s : rss.all()) {
            if (s.nanos() < baselineStart) {
                continue;
            }
            line.append(String.format(Locale.ROOT, "%d:%.0f ", (s.nanos() - baselineStart) / 1_000_000_000L, s.rssBytes() / 1048576.0));
        }
        out.println(line.toString().strip());
        out.println();
        out.println("Largest classes of the live heap at the end of the attack phase (jcmd GC.class_histogram):");
        histogram.forEach(h -> out.println("  " + h));
        out.println();
        out.println("## Attacks");
        for (Attack.Row r : rows) {
            out.println("### " + r.attack());
            out.println("limit: " + r.limit());
            r.replies().forEach(x -> out.println("  reply: " + x));
            r.results().forEach(x -> out.println("  result: " + x));
        }
        out.println();
        out.println("relay metrics, change over the attack phase:");
        metricDeltas.forEach(x -> out.println("  " + x));

        boolean safe = alive && missing == 0 && lost == 0 && attackLost == 0 && failed == 0 && attackFailed == 0;
        List<String> problems = new ArrayList<>();
        if (!safe) {
            problems.add("a legitimate message failed or was lost, an acknowledged one is missing, or the relay died");
        }
        if (maxDkimLookups > 3) {
            problems.add("a DKIM-heavy message caused " + maxDkimLookups + " key lookups");
        }
        if (!o.smoke()) {
            if (!(ratio <= 2)) {
                goals.add(String.format(Locale.ROOT, "p99 under attack %.2f× the baseline (goal ≤ 2×)", ratio));
            }
            if (!(rssAttackMax - rssBase <= 100)) {
                goals.add(String.format(Locale.ROOT, "RSS under attack +%.1f MiB (goal ≤ +100 MiB)", rssAttackMax - rssBase));
            }
            if (!(spread <= 5)) {
                goals.add(String.format(Locale.ROOT, "RSS spread ±%.1f %% (goal ±5 %%)", spread));
            }
        }
        out.println();
        problems.forEach(p -> out.println("hostile: FAILED: " + p));
        goals.forEach(g -> out.println("hostile: goal missed: " + g));
        out.println(problems.isEmpty() && goals.isEmpty() ? "hostile: OK" : "hostile: NOT OK");
        out.flush();
        return problems.isEmpty() && goals.isEmpty();
    }

    /** CPU seconds of the relay, the bench's JVM and (when they are a process of their own) the attackers. */
    private record Cpu(chatmail.bench.JvmCpu relay, chatmail.bench.JvmCpu bench, chatmail.bench.JvmCpu attackers) {
        static Cpu of(long relayPid, Attackers attackers) {
            long self = ProcessHandle.current().pid();
            return new Cpu(chatmail.bench.JvmCpu.of(relayPid), chatmail.bench.JvmCpu.of(self),
                    attackers.pid() == self ? null : chatmail.bench.JvmCpu.of(attackers.pid()));
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(relay.minus(earlier.relay), bench.minus(earlier.bench),
                    attackers == null ? null : attackers.minus(earlier.attackers));
        }

        String describe() {
            return "relay " + relay.describe() + "; bench (legitimate clients" + (attackers == null ? ", attackers" : "") + ") "
                    + bench.describe() + (attackers == null ? "" : "; attackers " + attackers.describe());
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static boolean accepts(String host, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitPort(String host, int port) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket(host, port)) {
                return;
            } catch (IOException e) {
                Attack.pause(20);
            }
        }
        throw new IOException(host + ":" + port + " does not accept");
    }

    /**
     * The histogram's total: live objects right after the full GC that {@code GC.class_histogram}
     * forces ({@code GC.heap_info} after {@code GC.run} would also count what the attackers made
     * the relay allocate between the two jcmd calls); -1 when unknown.
     */
    private static long liveHeap(List<String> histogram) {
        return histogram.stream().filter(l -> l.startsWith("Total")).findFirst()
                .map(l -> Long.parseLong(l.trim().split("\\s+")[2])).orElse(-1L);
    }

    /** The first {@code rows} lines of the relay's class histogram after a full GC; empty when jcmd fails. */
    private static List<String> histogram(long pid, int rows) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
                    "GC.class_histogram").redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> l.matches("^\\s*(num|\\d+:|Total).*")).toList();
            p.waitFor();
            List<String> top = new ArrayList<>(lines.subList(0, Math.min(rows + 1, lines.size())));
            lines.stream().filter(l -> l.startsWith("Total")).findFirst().ifPresent(top::add);
            return top;
        } catch (IOException e) {
            return List.of("(jcmd failed: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** The end of the relay's output, for a run that failed. */
    private void showLog(Path log) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            out.println("bench: the relay's log ends with:");
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.println("  " + l));
        } catch (IOException e) {
            out.println("bench: no relay log: " + e.getMessage());
        }
    }

    private final long began = System.nanoTime();

    private void progress(String format, Object... args) {
        out.printf(Locale.ROOT, "bench: [%.1f s] " + format + "%n", prepend((System.nanoTime() - began) / 1e9, args));
        out.flush();
    }
}
