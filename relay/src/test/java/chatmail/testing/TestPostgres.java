package chatmail.testing;

import chatmail.config.StorageSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PostgreSQL 15 server for tests of {@code storage = postgresql}: one per JVM, started on first
 * use in a temporary directory on a free loopback port (never 5432, never the system cluster),
 * with fsync on, and stopped when the JVM exits. {@code initdb} and {@code postgres} refuse to run
 * as root, so as root they run as the {@code postgres} user. Each caller gets a database of its
 * own; connections need the password, which a password file holds as an operator's would.
 *
 * <p>A JVM killed before its shutdown hook ran leaves its server running. Each instance's
 * directory holds {@value #OWNER} with the pid and start time of the JVM that made it; the next
 * start stops ({@code pg_ctl -m immediate}) and deletes every instance whose JVM is gone, so a CI
 * machine does not gather PostgreSQL processes. Instances of live JVMs (other test runs at the
 * same time) are left alone.
 */
public final class TestPostgres {
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    /** Where the instances' directories are made, each named {@value #PREFIX}... */
    static final Path TEMP = Path.of("/tmp");
    static final String PREFIX = "chatmail-pg-";
    /** The marker in an instance's directory: {@code <pid> <start time in ms>} of the JVM that owns it. */
    static final String OWNER = "owner";
    private static final AtomicInteger databases = new AtomicInteger();
    private static TestPostgres instance;

    private final Path base;
    private final int port;
    private final Path passwordFile;
    private final String password;
    private boolean templateReady;

    private TestPostgres(Path base, int port, Path passwordFile, String password) {
        this.base = base;
        this.port = port;
        this.passwordFile = passwordFile;
        this.password = password;
    }

    /** The JVM's server, started on first call; a missing PostgreSQL fails on CI (MissingProgram). */
    public static synchronized TestPostgres get() {
        if (instance == null) {
            if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
                throw MissingProgram.report("PostgreSQL 15 is not installed (" + BIN + "/initdb); install the Debian "
                        + "package postgresql-15 (scripts/install-test-deps)");
            }
            try {
                removeStale(TEMP);
                instance = start(TEMP);
                Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "test-postgres-stop"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the test PostgreSQL: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the test PostgreSQL", e);
            }
        }
        return instance;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** A new instance in a new directory under {@code temp} (which the postgres user can traverse). */
    static TestPostgres start(Path temp) throws IOException, InterruptedException {
        Path base = Files.createTempDirectory(temp, PREFIX);
        // First, so no other JVM's clean-up ever sees this directory without its owner.
        Files.writeString(base.resolve(OWNER), owner(ProcessHandle.current()), StandardCharsets.US_ASCII);
        // The server's user must be able to reach its files under the directory.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path passwordFile = base.resolve("password");
        Files.writeString(passwordFile, password + "\n", StandardCharsets.US_ASCII);
        Path data = base.resolve("data");
        Path sockets = base.resolve("sockets");
        Files.createDirectories(data);
        Files.createDirectories(sockets);
        if (root()) {
            UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal postgres = users.lookupPrincipalByName("postgres");
            GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
            for (Path p : List.of(base, data, sockets, passwordFile)) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                view.setOwner(postgres);
                view.setGroup(group);
            }
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        run(base, BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-E", "UTF8",
                "--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + passwordFile);
        int port = FreePorts.take(1)[0];
        // In the server's own config, so a restart (restart()) keeps port and addresses.
        Files.writeString(data.resolve("postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nport = " + port
                + "\nunix_socket_directories = '" + sockets + "'\nmax_connections = 300\nfsync = on\n",
                StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.APPEND);
        run(base, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", base.resolve("server.log").toString(),
                "-w", "-t", "60", "start");
        return new TestPostgres(base, port, passwordFile, password);
    }

    private static void run(Path base, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        if (root()) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        Path output = Files.createTempFile("chatmail-pg-cmd", ".log");
        try {
            Process process = new ProcessBuilder(line).directory(base.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command[0] + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", line) + " exited with " + process.exitValue() + ":\n"
                        + Files.readString(output));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    void stop() {
        stopAndDelete(base);
    }

    /** The instance's directory: data, sockets, password file and its owner marker. */
    Path base() {
        return base;
    }

    /** {@code <pid> <start time in ms>}: the start time tells a reused pid from the owner. */
    static String owner(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L) + "\n";
    }

    /** Whether the JVM named in an instance's marker still runs (the same process, not a reused pid). */
    static boolean ownerAlive(String marker) {
        String[] parts = marker.strip().split(" ");
        if (parts.length != 2) {
            return true;
        }
        try {
            long pid = Long.parseLong(parts[0]);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> owner(p).strip().equals(marker.strip()))
                    .orElse(false);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /**
     * Stops and deletes the instances under {@code temp} whose JVM is gone. A directory without
     * a marker (being made this moment, or by a version of this class without markers) is left.
     */
    static void removeStale(Path temp) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (var dirs = Files.newDirectoryStream(temp, PREFIX + "*")) {
            for (Path dir : dirs) {
                Path marker = dir.resolve(OWNER);
                if (Files.isRegularFile(marker) && !ownerAlive(Files.readString(marker, StandardCharsets.US_ASCII))) {
                    stale.add(dir);
                }
            }
        }
        for (Path dir : stale) {
            System.err.println("stopping and removing a test PostgreSQL left by a JVM that is gone: " + dir);
            stopAndDelete(dir);
        }
    }

    private static void stopAndDelete(Path base) {
        Path data = base.resolve("data");
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                run(base, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
            } catch (IOException | InterruptedException e) {
                System.err.println("test PostgreSQL did not stop: " + e);
                // The postmaster's pid is the first line of its pid file; its children end with it.
                try {
                    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().strip());
                    ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").endsWith("/postgres"))
                            .ifPresent(ProcessHandle::destroyForcibly);
                } catch (IOException | RuntimeException again) {
                    System.err.println("test PostgreSQL not killed: " + again);
                }
            }
        }
        try (var files = Files.walk(base)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("test PostgreSQL directory not removed: " + e);
        }
    }

    /** Stops the server the hard way, as a crash or an operator's restart would, and starts it again. */
    public void restart() throws IOException, InterruptedException {
        run(base, BIN.resolve("pg_ctl").toString(), "-D", base.resolve("data").toString(), "-m", "immediate",
                "-w", "stop");
        run(base, BIN.resolve("pg_ctl").toString(), "-D", base.resolve("data").toString(), "-l",
                base.resolve("server.log").toString(), "-w", "-t", "60", "start");
    }

    public int port() {
        return port;
    }

    /**
     * A new database with the relay's schema and no data; the storage settings name it with the
     * password in a password file. Copied from a template migrated once, so a test pays for
     * CREATE DATABASE, not for the migrations (a relay's own start still checks them).
     */
    public synchronized StorageSettings newDatabase() {
        if (!templateReady) {
            create("chatmail_template", null);
            chatmail.store.postgresql.PostgresDatabase.open(StorageSettings.postgresql(url("chatmail_template"),
                    passwordFile), 1).close();
            templateReady = true;
        }
        String name = "chatmail_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        create(name, "chatmail_template");
        return StorageSettings.postgresql(url(name), passwordFile);
    }

    /** A new database without the relay's schema: what an operator creates before the first start. */
    public StorageSettings newEmptyDatabase() {
        String name = "chatmail_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        create(name, null);
        return StorageSettings.postgresql(url(name), passwordFile);
    }

    private void create(String name, String template) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE DATABASE " + name + (template == null ? "" : " TEMPLATE " + template));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
        }
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** A connection as the superuser, for a test's own checks. */
    public Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("password", password);
        return DriverManager.getConnection(url(database), properties);
    }
}
