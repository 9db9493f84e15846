package chatmail.bench;

import chatmail.config.Config;
import chatmail.migrate.ImportReport;
import chatmail.migrate.ReferenceImport;
import chatmail.spool.BodySpool;
import chatmail.store.sqlite.SqliteMailStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code chatmail bench import}: the speed of {@code import-reference} (MIG-1) on a generated
 * reference relay's tree, written directly in the formats MIG-1 describes (password files with
 * SHA512-CRYPT hashes, metadata.json, dovecot-uidlist, gzip-compressed Maildir files, some
 * Maildir++ folders), not through Dovecot. Each run imports into a fresh data_dir; the baseline,
 * in the same invocation, is what the reference relay's own migration guide does: copying the
 * tree with tar.
 */
final class ImportBench {
    static final String DOMAIN = "bench.localhost";
    private static final String HASH = "{SHA512-CRYPT}$6$NwY9RRoS3guRGE8r$IyD0.3WuBhTRq2mvItvYMwqlnNM8SVOCmm2VghTd0eZl"
            + "WcuXQqxruRzSSNk9VbKzj0yWy3sKJ0IHfdxeCmHvC/";

    private ImportBench() {}

    record Run(double seconds, long messages, long accounts) {
        double messagesPerSecond() {
            return messages / seconds;
        }

        double accountsPerSecond() {
            return accounts / seconds;
        }
    }

    static boolean run(PrintWriter out, Path workDir, int accounts, int messages, int runs, int jobs, boolean keep)
            throws Exception {
        Files.createDirectories(workDir);
        Path tree = workDir.resolve("mailboxes");
        long t0 = System.nanoTime();
        long bytes = generate(tree, accounts, messages, new Random(42));
        out.printf(Locale.ROOT, "bench import: generated %d accounts, %d messages (%.0f MiB on disk) in %.1f s under %s%n",
                accounts, messages, bytes / 1048576.0, (System.nanoTime() - t0) / 1e9, tree);
        out.flush();
        boolean ok = true;
        List<Run> imports = new ArrayList<>();
        List<Double> tars = new ArrayList<>();
        Run again = null;
        try {
            for (int i = 1; i <= runs; i++) {
                tars.add(tarCopy(tree, workDir.resolve("tar-copy")));
                Path data = workDir.resolve("data");
                deleteRecursively(data);
                Run run = importOnce(tree, data, jobs, accounts, messages);
                out.printf(Locale.ROOT, "  run %d: import %.1f s (%.0f messages/s, %.0f accounts/s); tar copy %.1f s%n",
                        i, run.seconds(), run.messagesPerSecond(), run.accountsPerSecond(), tars.getLast());
                out.flush();
                imports.add(run);
                ok &= run.messages() == messages && run.accounts() == accounts;
                if (i == runs) {
                    again = importOnce(tree, data, jobs, 0, 0);
                }
            }
        } finally {
            if (!keep) {
                deleteRecursively(workDir.resolve("data"));
                deleteRecursively(workDir.resolve("tar-copy"));
                deleteRecursively(tree);
            }
        }
        double seconds = Stats.median(imports, Run::seconds);
        double tar = Stats.median(tars.stream().mapToDouble(Double::doubleValue).toArray());
        out.printf(Locale.ROOT, "median of %d runs: import %.1f s = %.0f messages/s, %.0f accounts/s (jobs %d);"
                        + " tar copy of the same tree %.1f s (import takes %.1fx as long); a second import with nothing"
                        + " new %.1f s%n", runs, seconds, messages / seconds, accounts / seconds, jobs, tar, seconds / tar,
                again.seconds());
        if (!ok) {
            out.println("bench import: FAILED: a run did not import every account and message");
        }
        return ok;
    }

    private static Run importOnce(Path tree, Path data, int jobs, long expectAccounts, long expectMessages)
            throws IOException {
        Config.Builder b = Config.builder(DOMAIN);
        b.dataDir = data;
        Config config = b.build();
        StringWriter report = new StringWriter();
        long t0 = System.nanoTime();
        ImportReport result;
        try (SqliteMailStore store = SqliteMailStore.open(data, Clock.systemUTC())) {
            result = ReferenceImport.into(config, store, BodySpool.open(data), Clock.systemUTC(), jobs, Duration.ofMinutes(10))
                    .run(tree, new PrintWriter(report));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (result.damagedCount() > 0) {
            throw new IOException("the generated tree had damaged items: " + result.damagedItems());
        }
        return new Run(seconds, result.messagesImported(), result.accountsImported());
    }

    /** The tree as the reference relay leaves it; returns its size in bytes. */
    static long generate(Path root, int accounts, int messages, Random random) throws IOException {
        deleteRecursively(root);
        Files.createDirectories(root);
        Files.createDirectories(root.resolve("pending_notifications"));
        long bytes = 0;
        long now = Instant.now().getEpochSecond();
        int remaining = messages;
        for (int a = 0; a < accounts; a++) {
            Path account = root.resolve(String.format(Locale.ROOT, "u%08d@%s", a, DOMAIN));
            Files.createDirectories(account);
            Path password = account.resolve("password");
            Files.writeString(password, HASH, StandardCharsets.US_ASCII);
            Files.setLastModifiedTime(password, FileTime.from(Instant.ofEpochSecond(now - random.nextInt(60) * 86_400L)));
            if (random.nextBoolean()) {
                Files.writeString(account.resolve("metadata.json"), "{\"devicetoken\": {\"tok" + a + "\": "
                        + (now - random.nextInt(80) * 86_400L) + "}}");
            }
            int count = remaining / (accounts - a);
            remaining -= count;
            boolean folder = a % 10 == 0 && count > 1;
            int inFolder = folder ? count / 2 : 0;
            bytes += maildir(account, count - inFolder, now, random);
            if (folder) {
                bytes += maildir(account.resolve(".DeltaChat"), inFolder, now, random);
            }
        }
        return bytes;
    }

    /** One Maildir with {@code count} messages, its uidlist's header lagging behind its lines as Dovecot leaves it. */
    private static long maildir(Path dir, int count, long now, Random random) throws IOException {
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        long validity = now - random.nextInt(1_000_000);
        StringBuilder uidlist = new StringBuilder();
        int firstUid = 1 + random.nextInt(50);
        uidlist.append("3 V").append(validity).append(" N").append(firstUid).append(" G0123456789abcdef\n");
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int uid = firstUid + i;
            long received = now - random.nextInt(20 * 86_400);
            byte[] content = message(random, uid);
            String base = received + ".M" + random.nextInt(1_000_000) + "P" + uid + ".bench,S=" + content.length
                    + ",W=" + (content.length + lines(content));
            boolean seen = random.nextInt(3) > 0;
            Path file = seen ? dir.resolve("cur").resolve(base + ":2,S") : dir.resolve("new").resolve(base);
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 8192)) {
                out.write(content);
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(received)));
            bytes += Files.size(file);
            uidlist.append(uid).append(" G").append(base, 0, base.indexOf(',')).append(" :").append(base).append('\n');
        }
        Files.writeString(dir.resolve("dovecot-uidlist"), uidlist, StandardCharsets.US_ASCII);
        return bytes;
    }

    /** An encrypted Delta Chat message's shape: headers, then ASCII armor; LF line ends as Maildir keeps them. */
    private static byte[] message(Random random, int n) {
        int r = random.nextInt(100);
        int size = r < 90 ? 3_000 : r < 99 ? 30_000 : 300_000;
        StringBuilder b = new StringBuilder(size + 200);
        b.append("From: <sender").append(n).append("@example.org>\nTo: <x@").append(DOMAIN).append(">\nSubject: [...]\n")
                .append("Message-ID: <").append(random.nextLong()).append("@example.org>\nChat-Version: 1.0\n")
                .append("Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\n\n")
                .append("--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--b\n")
                .append("Content-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n\n");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (b.length() < size) {
            for (int i = 0; i < 76; i++) {
                b.append(alphabet.charAt(random.nextInt(64)));
            }
            b.append('\n');
        }
        b.append("-----END PGP MESSAGE-----\n\n--b--\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static int lines(byte[] content) {
        int n = 0;
        for (byte c : content) {
            if (c == '\n') {
                n++;
            }
        }
        return n;
    }

    /** The reference relay's own migration guide: tar the mailboxes over. */
    private static double tarCopy(Path tree, Path target) throws IOException, InterruptedException {
        deleteRecursively(target);
        Files.createDirectories(target);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", "tar -C \"$1\" -cf - . | tar -C \"$2\" -xf - && sync", "tar", tree.toString(),
                target.toString()).inheritIO().start();
        if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
            throw new IOException("tar copy failed");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        deleteRecursively(target);
        return seconds;
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
