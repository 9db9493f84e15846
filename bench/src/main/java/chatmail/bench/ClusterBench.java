package chatmail.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code chatmail bench cluster} (SCALE-1, SCALE-2): one node on SQLite, then 1, 2, … nodes on
 * one PostgreSQL database, in one invocation, each a relay process of its own. Messages are
 * submitted on node 1 and watched by IMAP IDLE on the last node, so with two or more nodes every
 * delivery crosses nodes (NOTIFY/LISTEN). Per configuration: delivered msg/s at saturation, end
 * of DATA → EXISTS p50/p99 at a fixed rate, and the CPU each process used (relay nodes, and the
 * PostgreSQL server behind the URL with its backends when it runs on this machine, else every
 * PostgreSQL process) per second of the measurement and per delivered message.
 *
 * <p>The PostgreSQL database is the operator's (a URL and password file); the bench empties its
 * public schema before each configuration, so give it a database of its own.
 */
public final class ClusterBench {
    private ClusterBench() {}

    public record Options(String postgresqlUrl, Path passwordFile, int maxNodes, int accounts, int senders, double rate,
                          Duration duration, int runs, Duration drain, List<InetAddress> sources) {}

    private record Row(String label, double saturationRate, double p50, double p99, double fixedRate, long failed,
                       long lost, List<String> cpu) {}

    public static boolean run(PrintWriter out, Options o) throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        out.println("bench cluster: submissions on node 1, IDLE watchers on the last node; " + o.accounts() + " accounts, "
                + o.senders() + " senders, " + o.runs() + " runs of " + o.duration().toSeconds() + " s per scenario");
        out.flush();
        rows.add(measure(out, "1 node, SQLite", 1, "", o));
        for (int nodes = 1; nodes <= o.maxNodes(); nodes++) {
            resetDatabase(o);
            String params = "storage = postgresql\npostgresql_url = " + o.postgresqlUrl() + "\n"
                    + (o.passwordFile() == null ? "" : "postgresql_password_file = " + o.passwordFile() + "\n");
            rows.add(measure(out, nodes + (nodes == 1 ? " node" : " nodes") + ", PostgreSQL", nodes, params, o));
        }
        out.println();
        out.printf(Locale.ROOT, "%-22s %14s %12s %12s %14s %8s  %s%n", "configuration", "saturation/s",
                "p50 ms", "p99 ms", "at rate msg/s", "lost", "CPU per process (cores, during the runs)");
        boolean clean = true;
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-22s %14.1f %12.2f %12.2f %14.1f %8d  %s%n", r.label(), r.saturationRate(), r.p50(),
                    r.p99(), r.fixedRate(), r.lost(), String.join(", ", r.cpu()));
            clean &= r.failed() == 0 && r.lost() == 0;
        }
        Row sqlite = rows.getFirst();
        out.printf(Locale.ROOT, "ratios (saturation): 1 node PostgreSQL / SQLite %.2f", rows.get(1).saturationRate()
                / sqlite.saturationRate());
        for (int i = 2; i < rows.size(); i++) {
            out.printf(Locale.ROOT, "; %d nodes / 1 node PostgreSQL %.2f", i, rows.get(i).saturationRate()
                    / rows.get(1).saturationRate());
        }
        out.println();
        out.flush();
        return clean;
    }

    private static Row measure(PrintWriter out, String label, int nodes, String params, Options o)
            throws IOException, InterruptedException {
        List<OurRelayProcess> started = new ArrayList<>();
        try {
            // Started at the same moment, as SCALE-2 allows (the first start migrates the database).
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<OurRelayProcess>> starting = new ArrayList<>();
                for (int i = 1; i <= nodes; i++) {
                    String address = "127.0.0." + (30 + i);
                    starting.add(executor.submit(() -> OurRelayProcess.start(OurRelayProcess.Start.on(address,
                            o.sources(), List.of(), Duration.ofSeconds(120)).extraIni(params))));
                }
                for (Future<OurRelayProcess> f : starting) {
                    started.add(f.get());
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("a node did not start: " + e.getCause().getMessage(), e.getCause());
            }
            BenchTarget submit = started.getFirst().target();
            BenchTarget watch = started.getLast().target();
            ClientTls tls = new ClientTls(Duration.ofSeconds(30));
            AccountSetup.loginAll(submit, tls, o.accounts(), 8);
            DeliveryTracker tracker = new DeliveryTracker(o.accounts());
            try (ImapIdleWatch watcher = new ImapIdleWatch(watch, tls, false, 16)) {
                watcher.start(tracker);
                LoadRunner runner = new LoadRunner(submit, tls, tracker, o.drain(), true);
                PgpMimeMessages.Template template = new PgpMimeMessages().template(4096);
                List<Duration> cpuBefore = cpu(started);
                // Only the server behind the URL: other PostgreSQL clusters on the machine are not this run's cost.
                long postmaster = params.isEmpty() ? -1 : postmasterPid(o);
                Duration pgBefore = postgresCpu(postmaster);
                long t0 = System.nanoTime();
                LoadScenario saturation = new LoadScenario("saturation", 4096, o.senders(), 0, o.duration());
                LoadScenario fixed = new LoadScenario("fixed rate", 4096, o.senders(), o.rate(), o.duration());
                List<LoadResult> saturated = new ArrayList<>();
                List<LoadResult> paced = new ArrayList<>();
                for (int i = 0; i < o.runs(); i++) {
                    saturated.add(report(out, label, runner.run(saturation, template)));
                    paced.add(report(out, label, runner.run(fixed, template)));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                List<Duration> cpuAfter = cpu(started);
                Duration pgAfter = postgresCpu(postmaster);
                long delivered = 0;
                for (LoadResult r : saturated) {
                    delivered += r.delivered();
                }
                for (LoadResult r : paced) {
                    delivered += r.delivered();
                }
                // CPU per delivered message as well as cores: less dependent on what else the machine runs.
                List<String> cpu = new ArrayList<>();
                for (int i = 0; i < started.size(); i++) {
                    Duration used = cpuAfter.get(i).minus(cpuBefore.get(i));
                    cpu.add(String.format(Locale.ROOT, "node %d %.2f (%.3f ms/msg)", i + 1, used.toNanos() / 1e9 / seconds,
                            used.toNanos() / 1e6 / Math.max(1, delivered)));
                }
                if (!params.isEmpty()) {
                    Duration used = pgAfter.minus(pgBefore);
                    cpu.add(String.format(Locale.ROOT, "PostgreSQL %.2f (%.3f ms/msg)", used.toNanos() / 1e9 / seconds,
                            used.toNanos() / 1e6 / Math.max(1, delivered)));
                }
                ScenarioSummary s = new ScenarioSummary(label, saturation, saturated, true);
                ScenarioSummary f = new ScenarioSummary(label, fixed, paced, true);
                return new Row(label, s.deliveredRate(), f.deliveryP50Ms(), f.deliveryP99Ms(), f.deliveredRate(),
                        s.failed() + f.failed(), s.lost() + f.lost(), cpu);
            }
        } finally {
            started.forEach(OurRelayProcess::close);
        }
    }

    private static LoadResult report(PrintWriter out, String label, LoadResult r) {
        out.println("  " + label + ": " + r.summary());
        out.flush();
        return r;
    }

    private static List<Duration> cpu(List<OurRelayProcess> processes) {
        List<Duration> cpu = new ArrayList<>();
        for (OurRelayProcess p : processes) {
            cpu.add(ProcessHandle.of(p.pid()).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO));
        }
        return cpu;
    }

    /**
     * The server and its backends when the bench knows the server's process ({@code postmaster}
     * above 0), else every PostgreSQL process on this machine.
     */
    private static Duration postgresCpu(long postmaster) {
        var processes = postmaster > 0
                ? ProcessHandle.of(postmaster).map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h),
                        h.descendants())).orElseGet(ProcessHandle::allProcesses)
                : ProcessHandle.allProcesses();
        return processes.filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .map(h -> h.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    /** The server behind the URL when it runs on this machine (the parent of this connection's backend), else -1. */
    private static long postmasterPid(Options o) throws IOException {
        try (Connection c = connect(o); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            long backend = rs.getLong(1);
            return ProcessHandle.of(backend).filter(h -> h.info().command().map(cmd -> cmd.endsWith("/postgres"))
                    .orElse(false)).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
        } catch (SQLException e) {
            throw new IOException("cannot reach the bench database (SQLSTATE " + e.getSQLState() + ")", e);
        }
    }

    private static Connection connect(Options o) throws IOException, SQLException {
        Properties properties = new Properties();
        if (o.passwordFile() != null) {
            properties.setProperty("password", Files.readAllLines(o.passwordFile(), StandardCharsets.UTF_8).getFirst().strip());
        }
        return DriverManager.getConnection(o.postgresqlUrl(), properties);
    }

    /** Empties the database: each configuration starts on an empty one, which its nodes migrate. */
    private static void resetDatabase(Options o) throws IOException {
        try (Connection c = connect(o); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        } catch (SQLException e) {
            throw new IOException("cannot empty the bench database (SQLSTATE " + e.getSQLState() + ")", e);
        }
    }
}
