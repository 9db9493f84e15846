package chatmail.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chatmail bench …}: the load generator, a program of its own beside the relay (the
 * launcher runs it with the relay on the class path; the relay jar does not contain it).
 */
@Command(name = "chatmail bench", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, description = "Benchmarks: our relay side by side with Postfix + Dovecot.",
        subcommands = {BenchCommand.Smoke.class, BenchCommand.Compare.class, BenchCommand.Load.class, BenchCommand.Turn.class,
                BenchCommand.Import.class, BenchCommand.Move.class, BenchCommand.Footprint.class, BigdayCommand.class, BenchCommand.Federation.class,
                BenchCommand.Hostile.class, BenchCommand.Cluster.class})
public final class BenchCommand implements Runnable {

    static final class ExitCodes {
        static final int OK = 0;
        static final int FAILURE = 1;
        static final int CONFIG_ERROR = 2;

        private ExitCodes() {}
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "smoke", description = "Short run against our relay in process; exit 1 on any failed or lost message.")
    static final class Smoke implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--accounts", defaultValue = "2", description = "Accounts (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--messages", defaultValue = "50", description = "Messages, one in five of 200 KiB (default ${DEFAULT-VALUE}).")
        int messages;

        @Option(names = "--drain-timeout", defaultValue = "30", description = "Seconds to wait for arrivals (default ${DEFAULT-VALUE}).")
        int drainSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            return SmokeRun.run(out, accounts, messages, Duration.ofSeconds(drainSeconds)) ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    @Command(name = "turn", description = "Our TURN server and coturn side by side on loopback, driven by turnutils_uclient; prints a table.")
    static final class Turn implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--runs", defaultValue = "5", description = "Load runs per server (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--clients", defaultValue = "16", description = "turnutils_uclient processes at once, each from its own address (default ${DEFAULT-VALUE}).")
        int processes;

        @Option(names = "--per-client", defaultValue = "4", description = "Clients per process, uclient -m, with -c (default ${DEFAULT-VALUE}; two allocations each, so at most 5).")
        int perClient;

        @Option(names = "--packets", defaultValue = "1500", description = "Packets per client, uclient -n (default ${DEFAULT-VALUE}; "
                + "with -z 0 a client sends them in one burst, and 1500 × 100 bytes stay within the burst of our 5 Mbit/s per allocation).")
        int packets;

        @Option(names = "--size", defaultValue = "100", description = "Payload bytes per packet, uclient -l (default ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--allocations", defaultValue = "500", description = "Allocations held for the memory figure (default ${DEFAULT-VALUE}; at most 800: our limit is 1000 and uclient's probes linger).")
        int allocations;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (perClient < 1 || perClient > 5 || allocations < 1 || allocations > 800 || processes < 1 || processes > 250 || runs < 1 || runs > 100) {
                err.println("chatmail bench turn: --per-client 1 to 5, --allocations 1 to 800, --clients 1 to 250, --runs 1 to 100");
                return ExitCodes.CONFIG_ERROR;
            }
            try {
                chatmail.bench.turn.TurnBench.run(new chatmail.bench.turn.TurnBench.Options(runs, processes, perClient,
                        packets, size, allocations, "127.0.2.1", "127.0.2.2", "127.0.2.3", 3478), out);
                return ExitCodes.OK;
            } catch (IOException e) {
                err.println("chatmail bench turn: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "hostile", description = "Legitimate mail at a fixed rate, alone and then while every attack of issue 11 runs; "
            + "latency, RSS, and acknowledged messages missing after a SIGKILL and restart.")
    static final class Hostile implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--smoke", description = "A short run for CI (under a minute): fewer attackers, login_timeout 10s, no goals but safety.")
        boolean smoke;

        @Option(names = "--address", defaultValue = "127.0.0.23", description = "Loopback address of the relay, standard ports (default ${DEFAULT-VALUE}).")
        String address;

        @Option(names = "--accounts", description = "Legitimate accounts, each watched by IMAP IDLE (default 50; smoke 10).")
        Integer accounts;

        @Option(names = "--senders", description = "Legitimate submission connections (default 16; smoke 4).")
        Integer senders;

        @Option(names = "--rate", description = "Legitimate msg/s (default 200; smoke 100).")
        Double rate;

        @Option(names = "--runs", description = "Load runs per phase (default 5; smoke 1).")
        Integer runs;

        @Option(names = "--duration", description = "Seconds per run (default 20; smoke 6).")
        Integer duration;

        @Option(names = "--ramp", description = "Seconds the attacks run before the first measured run (default 20; smoke 6).")
        Integer ramp;

        @Option(names = "--dns-port", defaultValue = "10053", description = "UDP port of the bench's stub DNS server at --address (default ${DEFAULT-VALUE}).")
        int dnsPort;

        @Option(names = "--metrics-port", defaultValue = "9109", description = "Port of the relay's metrics at --address (default ${DEFAULT-VALUE}).")
        int metricsPort;

        @Option(names = "--relay-jvm-option", description = "Extra JVM option for the relay's process (repeatable).")
        List<String> relayJvmOptions = new ArrayList<>();

        @Option(names = "--attacks", split = ",", description = "Only these attacks: literal, long-password, wrong-password, "
                + "slowloris, flood, smtp-body, mxdeliv, dkim, probe (default: all).")
        List<String> attacks = new ArrayList<>();

        @Option(names = "--attackers-in-process", description = "Run the attackers on threads of the bench's JVM, beside the "
                + "legitimate clients and the clock that measures them (how the bench ran before; their load then counts against "
                + "the legitimate latency), instead of a child process.")
        boolean attackersInProcess;

        @Option(names = "--attackers-nice", defaultValue = "10", description = "nice -n increment of the attackers' process, so "
                + "that it takes only the CPU the relay and the legitimate clients leave, as attackers on other machines do; 0: the "
                + "same priority (default ${DEFAULT-VALUE}).")
        int attackersNice;

        @Option(names = "--attackers-sched-idle", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Schedule the attackers' process as SCHED_IDLE (chrt --idle 0): it runs only on a core that "
                        + "nothing else wants, as attackers on other machines take none of ours (default; "
                        + "--no-attackers-sched-idle: nice only).")
        boolean attackersIdle;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            for (String a : attacks) {
                if (!chatmail.bench.hostile.HostileBench.ATTACK_KEYS.contains(a)) {
                    spec.commandLine().getErr().println("chatmail bench hostile: unknown attack " + a + "; known: "
                            + String.join(", ", chatmail.bench.hostile.HostileBench.ATTACK_KEYS));
                    return ExitCodes.CONFIG_ERROR;
                }
            }
            int d = duration != null ? duration : smoke ? 6 : 20;
            int n = runs != null ? runs : smoke ? 1 : 5;
            chatmail.bench.hostile.HostileBench.Options options = new chatmail.bench.hostile.HostileBench.Options(address,
                    accounts != null ? accounts : smoke ? 10 : 50, senders != null ? senders : smoke ? 4 : 16,
                    rate != null ? rate : smoke ? 100 : 200, n, Duration.ofSeconds(d),
                    Duration.ofSeconds(ramp != null ? ramp : smoke ? 6 : 20), Duration.ofSeconds(smoke ? d : 60), smoke,
                    dnsPort, metricsPort, relayJvmOptions, java.util.Set.copyOf(attacks), attackersInProcess, attackersNice,
                    attackersIdle);
            try {
                return chatmail.bench.hostile.HostileBench.run(options, out) ? ExitCodes.OK : ExitCodes.FAILURE;
            } catch (IOException e) {
                spec.commandLine().getErr().println("chatmail bench hostile: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "federation", description = "Two relays in two processes on loopback with NSD: mail from relay 1 to IDLE "
            + "recipients on relay 2, one at a time after warm-up, at a fixed rate, and the first message after restarts.")
    static final class Federation implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--smoke", description = "A short run for CI (about half a minute): fewer accounts, messages and restarts.")
        boolean smoke;

        @Option(names = "--accounts", defaultValue = "200", description = "IDLE recipients on relay 2 (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--senders", defaultValue = "16", description = "Submission connections to relay 1 (default ${DEFAULT-VALUE}).")
        int senders;

        @Option(names = "--rate", defaultValue = "200", description = "Offered msg/s (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--size", defaultValue = "4096", description = "Message size in bytes (default ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--duration", defaultValue = "10", description = "Seconds per fixed-rate run (default ${DEFAULT-VALUE}).")
        int durationSeconds;

        @Option(names = "--runs", defaultValue = "3", description = "Fixed-rate runs (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--warmup", defaultValue = "30", description = "Warm-up messages before the one-at-a-time ones (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--sequential", defaultValue = "100", description = "Messages sent one at a time (default ${DEFAULT-VALUE}).")
        int sequential;

        @Option(names = "--restarts", defaultValue = "5", description = "Restarts of both relays, each followed by one message (default ${DEFAULT-VALUE}).")
        int restarts;

        @Option(names = "--address1", defaultValue = "127.0.0.41", description = "Relay 1's loopback address (default ${DEFAULT-VALUE}).")
        String address1;

        @Option(names = "--address2", defaultValue = "127.0.0.42", description = "Relay 2's loopback address (default ${DEFAULT-VALUE}).")
        String address2;

        @Option(names = "--relay-jvm-option", description = "Extra JVM option for both relays' processes (repeatable).")
        List<String> relayJvmOptions = new ArrayList<>();

        @Option(names = "--drain-timeout", defaultValue = "60", description = "Seconds to wait for arrivals after a run (default ${DEFAULT-VALUE}).")
        int drainSeconds;

        @Option(names = "--dir", description = "Work directory (default: a new one under java.io.tmpdir).")
        Path dir;

        @Option(names = "--keep", description = "Keep the work directory (configs, relay logs, data).")
        boolean keep;

        @Option(names = "--relay-checkout", description = "Run the relays through another checkout's launcher (DIR/chatmail), e.g. a baseline's; default: this one's.")
        Path relayCheckout;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (smoke) {
                accounts = 20;
                durationSeconds = 3;
                runs = 1;
                sequential = 20;
                restarts = 1;
                drainSeconds = 20;
            }
            if (accounts < 1 || senders < 1 || rate <= 0 || runs < 0 || warmup < 0 || sequential < 1 || restarts < 0) {
                err.println("chatmail bench federation: --accounts, --senders, --rate, --sequential at least 1; --runs, --warmup, --restarts at least 0");
                return ExitCodes.CONFIG_ERROR;
            }
            FederationBench.Options options = new FederationBench.Options(accounts, senders, rate, size,
                    Duration.ofSeconds(durationSeconds), runs, warmup, sequential, restarts, address1, address2,
                    relayJvmOptions, Duration.ofSeconds(drainSeconds), FederationBench.workDir(dir), keep || dir != null,
                    relayCheckout != null ? relayCheckout.toAbsolutePath().resolve("chatmail") : Checkout.launcher());
            if (!Files.isExecutable(options.relayLauncher())) {
                err.println("chatmail bench federation: no launcher " + options.relayLauncher());
                return ExitCodes.CONFIG_ERROR;
            }
            try {
                return new FederationBench(options, out).run() ? ExitCodes.OK : ExitCodes.FAILURE;
            } catch (IOException e) {
                err.println("chatmail bench federation: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "import", description = "import-reference (MIG-1) speed on a generated reference relay tree, against a tar copy.")
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--accounts", defaultValue = "10000", description = "Addresses in the tree (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--messages", defaultValue = "200000", description = "Messages in the tree (default ${DEFAULT-VALUE}).")
        int messages;

        @Option(names = "--runs", defaultValue = "3", description = "Imports, each into a fresh data_dir (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--jobs", defaultValue = "8", description = "Accounts imported at once (default ${DEFAULT-VALUE}).")
        int jobs;

        @Option(names = "--dir", description = "Work directory (default: a new one under java.io.tmpdir).")
        Path dir;

        @Option(names = "--keep", description = "Keep the generated tree and the last data_dir.")
        boolean keep;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path work = dir != null ? dir : java.nio.file.Files.createTempDirectory("chatmail-bench-import-");
            boolean ok = ImportBench.run(out, work, accounts, messages, runs, jobs, keep);
            if (!keep && dir == null) {
                ImportBench.deleteRecursively(work);
            }
            return ok ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    @Command(name = "move", description = "move-to-postgresql speed on a data_dir made by import-reference, against a tar copy.")
    static final class Move implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--postgresql-url", required = true, description = "JDBC URL of a database for the bench alone: its public schema is emptied before each run.")
        String url;

        @Option(names = "--postgresql-password-file", description = "File with the database password on its first line.")
        Path passwordFile;

        @Option(names = "--accounts", defaultValue = "1000", description = "Accounts in the data_dir (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--messages", defaultValue = "20000", description = "Messages in the data_dir (default ${DEFAULT-VALUE}).")
        int messages;

        @Option(names = "--runs", defaultValue = "3", description = "Moves, each into an emptied database (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--jobs", defaultValue = "8", split = ",", description = "Accounts moved at once; several values"
                + " (1,4,8) are compared in the same runs (default ${DEFAULT-VALUE}).")
        java.util.List<Integer> jobs;

        @Option(names = "--dir", description = "Work directory (default: a new one under java.io.tmpdir).")
        Path dir;

        @Option(names = "--keep", description = "Keep the data_dir (to time the command itself on it).")
        boolean keep;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if (jobs.stream().anyMatch(j -> j < 1) || runs < 1) {
                spec.commandLine().getErr().println("chatmail bench move: --jobs and --runs must be at least 1");
                return ExitCodes.CONFIG_ERROR;
            }
            Path work = dir != null ? dir : java.nio.file.Files.createTempDirectory("chatmail-bench-move-");
            return MoveBench.run(out, work, new MoveBench.Options(url, passwordFile, accounts, messages, runs, jobs, keep))
                    ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    @Command(name = "cluster", description = "One node on SQLite, then 1, 2, 3 nodes sharing PostgreSQL (SCALE-2); prints a table.")
    static final class Cluster implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--postgresql-url", required = true, description = "JDBC URL of a database for the bench alone: its public schema is emptied before each configuration.")
        String url;

        @Option(names = "--postgresql-password-file", description = "File with the database password on its first line.")
        Path passwordFile;

        @Option(names = "--nodes", defaultValue = "3", description = "Most nodes, on 127.0.0.31 … (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--accounts", defaultValue = "100", description = "Accounts, each watched by one IDLE connection on the last node (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--senders", defaultValue = "16", description = "Concurrent submission connections to node 1 (default ${DEFAULT-VALUE}).")
        int senders;

        @Option(names = "--rate", defaultValue = "200", description = "Offered rate of the fixed-rate runs, msg/s (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--duration", defaultValue = "10", description = "Seconds per run (default ${DEFAULT-VALUE}).")
        int durationSeconds;

        @Option(names = "--runs", defaultValue = "3", description = "Runs per scenario and configuration (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--sources", defaultValue = "8", description = "Client source addresses 127.0.1.1 … 127.0.1.N (default ${DEFAULT-VALUE}).")
        int sources;

        @Option(names = "--drain-timeout", defaultValue = "60", description = "Seconds to wait for arrivals after a run (default ${DEFAULT-VALUE}).")
        int drainSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (nodes < 1 || nodes > 9) {
                err.println("chatmail bench cluster: --nodes 1 to 9");
                return ExitCodes.CONFIG_ERROR;
            }
            try {
                return ClusterBench.run(out, new ClusterBench.Options(url, passwordFile, nodes, accounts, senders, rate,
                        Duration.ofSeconds(durationSeconds), runs, Duration.ofSeconds(drainSeconds),
                        Compare.sourceAddresses(sources))) ? ExitCodes.OK : ExitCodes.FAILURE;
            } catch (IOException e) {
                err.println("chatmail bench cluster: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "load", description = "One scenario against a running server given by address and ports.")
    static final class Load implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--host", required = true, description = "Server address.")
        String host;

        @Option(names = "--submissions-port", defaultValue = "465", description = "Submission port with implicit TLS (default ${DEFAULT-VALUE}).")
        int submissionsPort;

        @Option(names = "--imaps-port", defaultValue = "993", description = "IMAPS port for the IDLE watchers; 0: do not watch (default ${DEFAULT-VALUE}).")
        int imapsPort;

        @Option(names = "--domain", required = true, description = "Mail domain of the bench accounts b00000001@DOMAIN ….")
        String domain;

        @Option(names = "--password", defaultValue = BenchTarget.DEFAULT_PASSWORD, description = "Password of every bench account (default ${DEFAULT-VALUE}).")
        String password;

        @Option(names = "--accounts", defaultValue = "200", description = "Accounts (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--senders", defaultValue = "16", description = "Concurrent submission connections (default ${DEFAULT-VALUE}).")
        int senders;

        @Option(names = "--rate", defaultValue = "200", description = "Offered msg/s; 0: saturation (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--size", defaultValue = "4096", description = "Message size in bytes (default ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--duration", defaultValue = "10", description = "Seconds per run (default ${DEFAULT-VALUE}).")
        int durationSeconds;

        @Option(names = "--runs", defaultValue = "3", description = "Runs (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--sources", defaultValue = "8", description = "Client source addresses 127.0.1.1 … 127.0.1.N; 0: the kernel's choice (default ${DEFAULT-VALUE}).")
        int sources;

        @Option(names = "--drain-timeout", defaultValue = "60", description = "Seconds to wait for arrivals after a run (default ${DEFAULT-VALUE}).")
        int drainSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            BenchTarget target = new BenchTarget(host, host, submissionsPort, imapsPort, domain, password,
                    Compare.sourceAddresses(sources));
            ServerUnderTest external = new ExternalServer(target);
            LoadScenario scenario = new LoadScenario(rate > 0 ? "fixed rate" : "saturation", size, senders, rate,
                    Duration.ofSeconds(durationSeconds));
            List<LoadResult> results = new ArrayList<>();
            try (TargetSession session = TargetSession.open(external, new ClientTls(Duration.ofSeconds(30)), accounts,
                    Duration.ofSeconds(drainSeconds))) {
                out.println("bench load: " + scenario.describe() + "; deliveries watched by " + session.watchDescription());
                PgpMimeMessages.Template template = new PgpMimeMessages().template(size);
                for (int i = 0; i < runs; i++) {
                    LoadResult r = session.run(scenario, template);
                    out.println("  " + r.summary());
                    out.flush();
                    results.add(r);
                }
                ScenarioSummary s = new ScenarioSummary(host, scenario, results, session.watched());
                out.printf(java.util.Locale.ROOT, "median of %d runs: delivery p50 %.2f ms p99 %.2f ms; submit p50 %.2f ms p99 %.2f ms;"
                                + " %.1f msg/s accepted, %.1f msg/s delivered; %d failed, %d lost of %d%n",
                        runs, s.deliveryP50Ms(), s.deliveryP99Ms(), s.submitP50Ms(), s.submitP99Ms(), s.acceptedRate(),
                        s.deliveredRate(), s.failed(), s.lost(), s.sent());
                return s.failed() == 0 && s.lost() == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
            }
        }
    }

    @Command(name = "footprint", description = "PERF-1 through the launcher: restart to ready, idle memory, memory after a long"
            + " saturation, many accounts and IDLE connections in a memory-limited cgroup.")
    static final class Footprint implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--smoke", description = "A short run for CI: one restart, seconds of load, a few hundred accounts;"
                + " exit 1 on any failed start, failed or lost message, or dropped connection.")
        boolean smoke;

        @Option(names = "--reference", paramLabel = "CHECKOUT", description = "Also measure the launcher of this checkout"
                + " (the starting point, e.g. a clone at an older commit), alternating with this one.")
        Path reference;

        @Option(names = "--variant", paramLabel = "NAME=JAVA_OPTS", description = "Also measure this checkout's launcher with"
                + " CHATMAIL_JAVA_OPTS=JAVA_OPTS, under NAME (repeatable), e.g. g1=-XX:+UseG1GC.")
        List<String> variants = new ArrayList<>();

        @Option(names = "--parts", defaultValue = "startup,saturation,cgroup", description = "What to measure (default ${DEFAULT-VALUE}).")
        String parts;

        @Option(names = "--restarts", defaultValue = "5", description = "Restarts for the median (default ${DEFAULT-VALUE}).")
        int restarts;

        @Option(names = "--idle-settle", defaultValue = "10", description = "Seconds after ready before idle memory is read (default ${DEFAULT-VALUE}).")
        int idleSettle;

        @Option(names = "--idle-samples", defaultValue = "3", description = "Idle memory is read after each of the last N"
                + " restarts and the median reported (default ${DEFAULT-VALUE}; at most --restarts).")
        int idleSamples;

        @Option(names = "--saturation", defaultValue = "600", description = "Seconds of saturation per subject (default ${DEFAULT-VALUE}).")
        int saturation;

        @Option(names = "--saturation-run", defaultValue = "60", description = "Seconds per run, alternating 4 KiB and 200 KiB (default ${DEFAULT-VALUE}).")
        int saturationRun;

        @Option(names = "--accounts", defaultValue = "200", description = "Accounts watched by IDLE during the saturation (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--senders", defaultValue = "16", description = "Concurrent submission connections (default ${DEFAULT-VALUE}).")
        int senders;

        @Option(names = "--crowd-accounts", defaultValue = "10000", description = "Accounts of the cgroup run (default ${DEFAULT-VALUE}).")
        int crowdAccounts;

        @Option(names = "--idle", defaultValue = "2000", description = "IDLE connections held in the cgroup run (default ${DEFAULT-VALUE}).")
        int idle;

        @Option(names = "--memory-limit", defaultValue = "512", description = "The cgroup's memory limit in MiB (default ${DEFAULT-VALUE}).")
        int memoryLimit;

        @Option(names = "--crowd-load", defaultValue = "30", description = "Seconds of saturation per size in the cgroup run (default ${DEFAULT-VALUE}).")
        int crowdLoad;

        @Option(names = "--address", defaultValue = "127.0.0.22", description = "Loopback address the relays listen on, standard ports (default ${DEFAULT-VALUE}).")
        String address;

        @Option(names = "--sources", defaultValue = "8", description = "Client source addresses 127.0.1.1 … 127.0.1.N (default ${DEFAULT-VALUE}).")
        int sources;

        @Option(names = "--drain-timeout", defaultValue = "60", description = "Seconds to wait for arrivals after a run (default ${DEFAULT-VALUE}).")
        int drainSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<FootprintRun.Subject> subjects = new ArrayList<>();
            subjects.add(new FootprintRun.Subject("ours", Checkout.launcher(), ""));
            if (reference != null) {
                Path launcher = reference.resolve("chatmail").toAbsolutePath();
                if (!java.nio.file.Files.isExecutable(launcher)) {
                    err.println("chatmail bench: " + launcher + " is not a launcher");
                    return ExitCodes.CONFIG_ERROR;
                }
                subjects.add(new FootprintRun.Subject("reference", launcher, ""));
            }
            for (String v : variants) {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    err.println("chatmail bench: --variant takes NAME=JAVA_OPTS, not " + v);
                    return ExitCodes.CONFIG_ERROR;
                }
                subjects.add(new FootprintRun.Subject(v.substring(0, eq), Checkout.launcher(), v.substring(eq + 1)));
            }
            if (smoke) {
                restarts = 1;
                idleSettle = 2;
                idleSamples = 1;
                saturation = 8;
                saturationRun = 4;
                accounts = 10;
                senders = 4;
                crowdAccounts = 400;
                idle = 100;
                crowdLoad = 3;
            }
            java.util.Set<FootprintRun.Part> partSet;
            try {
                partSet = FootprintRun.parts(parts);
            } catch (IllegalArgumentException e) {
                err.println("chatmail bench: --parts takes startup, saturation and cgroup, not " + parts);
                return ExitCodes.CONFIG_ERROR;
            }
            FootprintRun.Options options = new FootprintRun.Options(subjects, address, Compare.sourceAddresses(sources),
                    partSet, restarts, Duration.ofSeconds(idleSettle), Math.max(1, Math.min(idleSamples, restarts)),
                    Duration.ofSeconds(saturation),
                    Duration.ofSeconds(saturationRun), accounts, senders, crowdAccounts, idle, memoryLimit * 1048576L,
                    Duration.ofSeconds(crowdLoad), Duration.ofSeconds(drainSeconds));
            List<FootprintRun.Report> reports;
            try {
                reports = new FootprintRun(options, out).run();
            } catch (IOException e) {
                err.println("chatmail bench: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            new FootprintTable(reports).print(out);
            boolean clean = reports.stream().allMatch(r -> (r.saturation() == null || r.saturation().clean())
                    && (r.crowd() == null || r.crowd().clean()));
            out.println(clean ? "bench footprint: every start became ready, every message arrived, every connection held"
                    : "bench footprint: FAILED: a message was refused or lost, or the many-accounts run lost connections or the relay");
            out.flush();
            return clean ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    @Command(name = "compare", description = "Our relay and the Postfix + Dovecot baseline side by side; prints a table.")
    static final class Compare implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--accounts", defaultValue = "200", description = "Accounts per server, each watched by one IDLE connection (default ${DEFAULT-VALUE}).")
        int accounts;

        @Option(names = "--senders", defaultValue = "16", description = "Concurrent submission connections (default ${DEFAULT-VALUE}).")
        int senders;

        @Option(names = "--rate", defaultValue = "200", description = "Offered rate of the 4 KiB fixed-rate scenario, msg/s (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--large-rate", defaultValue = "50", description = "Offered rate of the 200 KiB fixed-rate scenario, msg/s (default ${DEFAULT-VALUE}).")
        double largeRate;

        @Option(names = "--duration", defaultValue = "10", description = "Seconds per run (default ${DEFAULT-VALUE}).")
        int durationSeconds;

        @Option(names = "--runs", defaultValue = "3", description = "Runs per scenario and server (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--capacity", defaultValue = "0", description = "Idle IMAP connections for our capacity runs (0: skip; default ${DEFAULT-VALUE}).")
        int capacity;

        @Option(names = "--baseline-capacity", defaultValue = "-1", description = "The same for the baseline (default: --capacity, at most 2000).")
        int baselineCapacity;

        @Option(names = "--ours-address", defaultValue = "127.0.0.21", description = "Loopback address for our relay (default ${DEFAULT-VALUE}).")
        String oursAddress;

        @Option(names = "--baseline-address", defaultValue = "127.0.0.20", description = "Loopback address for the baseline (default ${DEFAULT-VALUE}).")
        String baselineAddress;

        @Option(names = "--sources", defaultValue = "8", description = "Client source addresses 127.0.1.1 … 127.0.1.N (default ${DEFAULT-VALUE}).")
        int sources;

        @Option(names = "--baseline-script", description = "scripts/bench-baseline to use (default: the one in this checkout).")
        Path baselineScript;

        @Option(names = "--relay-jvm-option", description = "Extra JVM option for our relay's process (repeatable).")
        List<String> relayJvmOptions = new ArrayList<>();

        @Option(names = "--only", description = "Run only one side: ours or baseline.")
        String only;

        @Option(names = "--drain-timeout", defaultValue = "60", description = "Seconds to wait for arrivals after a run (default ${DEFAULT-VALUE}).")
        int drainSeconds;

        @Option(names = "--startups", defaultValue = "3", description = "Fresh starts per server for the start-up median (default ${DEFAULT-VALUE}).")
        int startups;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (only != null && !only.equals("ours") && !only.equals("baseline")) {
                err.println("chatmail bench: --only takes ours or baseline");
                return ExitCodes.CONFIG_ERROR;
            }
            int baselineCap = baselineCapacity >= 0 ? baselineCapacity : Math.min(capacity, 2000);
            long fdLimit = CapacityRun.openFileLimit();
            if (fdLimit > 0 && Math.max(capacity, baselineCap) > fdLimit - 1000) {
                err.printf("chatmail bench: this process may open %d files; at most %d connections fit (ulimit -n)%n",
                        fdLimit, fdLimit - 1000);
                return ExitCodes.CONFIG_ERROR;
            }
            CompareOptions options = new CompareOptions(accounts, senders, rate, largeRate, 4096, 200 * 1024,
                    Duration.ofSeconds(durationSeconds), runs, capacity, baselineCap, oursAddress, baselineAddress,
                    sourceAddresses(sources), baselineScript != null ? baselineScript : BaselineServers.defaultScript(),
                    relayJvmOptions, only == null || only.equals("ours"), only == null || only.equals("baseline"),
                    Duration.ofSeconds(drainSeconds), Math.max(1, startups));
            List<Comparison.TargetReport> reports;
            try {
                reports = new Comparison(options, out).run();
            } catch (IOException e) {
                err.println("chatmail bench: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            new ComparisonTable(reports, runs).print(out);
            return ExitCodes.OK;
        }

        static List<InetAddress> sourceAddresses(int n) throws UnknownHostException {
            List<InetAddress> list = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                list.add(InetAddress.getByName("127.0.1." + i));
            }
            return list;
        }
    }
}
