package chatmail.bench;

import chatmail.config.Config;
import chatmail.config.StorageSettings;
import chatmail.migrate.ReferenceImport;
import chatmail.spool.BodySpool;
import chatmail.storage.MoveReport;
import chatmail.storage.MoveToPostgres;
import chatmail.store.sqlite.SqliteMailStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code chatmail bench move}: how long {@code chatmail move-to-postgresql} takes for a single
 * relay's data_dir. The data_dir is made once, with {@code import-reference} of the tree
 * {@link ImportBench} generates (so it holds what a relay holds: hashes, device tokens, folders,
 * large bodies in files); each run empties the database and moves the data_dir into it. The
 * baseline, in the same invocation, is copying the same data_dir with tar and sync: what moving a
 * single relay to another machine costs.
 */
final class MoveBench {
    private MoveBench() {}

    record Options(String postgresqlUrl, Path passwordFile, int accounts, int messages, int runs, List<Integer> jobs,
            boolean keep) {}

    static boolean run(PrintWriter out, Path workDir, Options o) throws Exception {
        Files.createDirectories(workDir);
        Path tree = workDir.resolve("mailboxes");
        Path data = workDir.resolve("data");
        long t0 = System.nanoTime();
        ImportBench.generate(tree, o.accounts(), o.messages(), new Random(42));
        ImportBench.deleteRecursively(data);
        Config.Builder b = Config.builder(ImportBench.DOMAIN);
        b.dataDir = data;
        b.storage = new StorageSettings(StorageSettings.Kind.SQLITE, o.postgresqlUrl(), o.passwordFile());
        Config config = b.build();
        try (SqliteMailStore store = SqliteMailStore.open(data, Clock.systemUTC())) {
            ReferenceImport.into(config, store, BodySpool.open(data), Clock.systemUTC(), 8, Duration.ofHours(1))
                    .run(tree, new PrintWriter(new StringWriter()));
        }
        ImportBench.deleteRecursively(tree);
        out.printf(Locale.ROOT, "bench move: a data_dir of %d accounts, %d messages (%.0f MiB) made in %.1f s%n",
                o.accounts(), o.messages(), size(data) / 1048576.0, (System.nanoTime() - t0) / 1e9);
        out.flush();
        Map<Integer, List<Double>> moves = new LinkedHashMap<>();
        List<Double> tars = new ArrayList<>();
        boolean ok = true;
        for (int i = 1; i <= o.runs(); i++) {
            tars.add(tarCopy(data, workDir.resolve("tar-copy")));
            out.printf(Locale.ROOT, "  run %d: tar copy %.1f s%n", i, tars.getLast());
            // Each setting once per run, in turn, so a busy spell of the machine falls on all of them.
            for (int jobs : o.jobs()) {
                resetDatabase(o);
                long start = System.nanoTime();
                MoveReport report = new MoveToPostgres(config, Clock.systemUTC(), jobs, Duration.ofHours(1))
                        .run(new PrintWriter(new StringWriter()));
                double seconds = (System.nanoTime() - start) / 1e9;
                moves.computeIfAbsent(jobs, j -> new ArrayList<>()).add(seconds);
                ok &= report.accounts() == o.accounts() && report.messages() == o.messages();
                out.printf(Locale.ROOT, "  run %d: move with %d jobs %.1f s (%.0f messages/s, %.0f accounts/s, %.1f MiB/s)%n",
                        i, jobs, seconds, report.messages() / seconds, report.accounts() / seconds,
                        report.bytes() / 1048576.0 / seconds);
                out.flush();
            }
        }
        if (o.keep()) {
            out.println("bench move: kept the data_dir " + data);
        } else {
            ImportBench.deleteRecursively(workDir);
        }
        double tar = Stats.median(tars.stream().mapToDouble(Double::doubleValue).toArray());
        out.printf(Locale.ROOT, "median of %d runs: tar copy of the same data_dir %.1f s%n", o.runs(), tar);
        for (Map.Entry<Integer, List<Double>> e : moves.entrySet()) {
            double move = Stats.median(e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
            out.printf(Locale.ROOT, "  move with %d jobs: %.1f s = %.0f messages/s, %.0f accounts/s (%.1fx the tar copy)%n",
                    e.getKey(), move, o.messages() / move, o.accounts() / move, move / tar);
        }
        if (!ok) {
            out.println("bench move: FAILED: a run did not move every account and message");
        }
        return ok;
    }

    private static long size(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static double tarCopy(Path dir, Path target) throws IOException, InterruptedException {
        ImportBench.deleteRecursively(target);
        Files.createDirectories(target);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", "tar -C \"$1\" -cf - . | tar -C \"$2\" -xf - && sync", "tar",
                dir.toString(), target.toString()).inheritIO().start();
        if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
            throw new IOException("tar copy failed");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ImportBench.deleteRecursively(target);
        return seconds;
    }

    /** Each move starts on an empty database, which it migrates. */
    private static void resetDatabase(Options o) throws IOException {
        Properties properties = new Properties();
        if (o.passwordFile() != null) {
            properties.setProperty("password", Files.readAllLines(o.passwordFile(), StandardCharsets.UTF_8).getFirst().strip());
        }
        try (Connection c = DriverManager.getConnection(o.postgresqlUrl(), properties); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        } catch (SQLException e) {
            throw new IOException("cannot empty the bench database (SQLSTATE " + e.getSQLState() + ")", e);
        }
    }
}
