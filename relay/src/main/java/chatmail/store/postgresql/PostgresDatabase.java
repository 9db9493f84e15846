package chatmail.store.postgresql;

import chatmail.config.StorageSettings;
import chatmail.store.StoreException;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared PostgreSQL database (SCALE-1): a connection pool, the schema migrated by Flyway from
 * {@code db/postgresql} (Flyway holds an advisory lock meanwhile, so nodes that start at the same
 * moment on an empty database migrate it once), and transactions that are retried when PostgreSQL
 * aborts them for a deadlock or a serialization failure.
 *
 * <p>pgjdbc is plain Java, so callers run their SQL on their own (virtual) threads; the pool
 * bounds how many connections one node holds.
 */
public final class PostgresDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);
    public static final String MIGRATIONS = "classpath:db/postgresql";
    private static final int ATTEMPTS = 5;

    private final HikariDataSource pool;
    private final String url;
    private final Properties credentials;
    /** This process among the nodes: the holder of the claims it makes. */
    private final String node;

    private PostgresDatabase(HikariDataSource pool, String url, Properties credentials, String node) {
        this.pool = pool;
        this.url = url;
        this.credentials = credentials;
        this.node = node;
    }

    /** Connects, migrates the schema, and keeps up to {@code poolSize} connections. */
    public static PostgresDatabase open(StorageSettings settings, int poolSize) {
        Properties credentials = new Properties();
        if (settings.postgresqlPasswordFile() != null) {
            try {
                List<String> lines = Files.readAllLines(settings.postgresqlPasswordFile(), StandardCharsets.UTF_8);
                credentials.setProperty("password", lines.isEmpty() ? "" : lines.getFirst().strip());
            } catch (IOException e) {
                throw new StoreException("cannot read postgresql_password_file " + settings.postgresqlPasswordFile()
                        + ": " + e.getMessage(), e);
            }
        }
        String node = java.util.UUID.randomUUID().toString();
        HikariConfig config = new HikariConfig();
        config.setPoolName("chatmail-postgresql");
        config.setJdbcUrl(settings.postgresqlUrl());
        Properties poolProperties = new Properties();
        poolProperties.putAll(credentials);
        // pg_stat_activity then says which node holds which connection.
        poolProperties.setProperty("ApplicationName", applicationName("pool", node));
        config.setDataSourceProperties(poolProperties);
        // Flyway holds one connection for its lock while it migrates on another.
        config.setMaximumPoolSize(Math.max(2, poolSize));
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
        config.setValidationTimeout(Duration.ofSeconds(3).toMillis());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            // The URL may hold a password: name the failure, not the URL.
            throw new StoreException("cannot connect to PostgreSQL: " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations(MIGRATIONS).load().migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new StoreException("PostgreSQL schema migration failed: " + rootMessage(e), e);
        }
        return new PostgresDatabase(pool, settings.postgresqlUrl(), credentials, node);
    }

    /** {@code chatmail <purpose> <node>}: at most 63 bytes, PostgreSQL's limit. */
    public static String applicationName(String purpose, String node) {
        return "chatmail " + purpose + " " + node;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** This node's name in claims (random per process). */
    public String node() {
        return node;
    }

    /** SQL that runs in one transaction; may run again when PostgreSQL aborted an earlier attempt. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException, IOException;
    }

    /**
     * Runs {@code work} in a transaction and commits it. A deadlock or serialization failure rolls
     * back and runs the work again on a fresh transaction, so the work must be repeatable.
     */
    public <T> T transaction(Work<T> work) {
        boolean reconnected = false;
        for (int attempt = 1; ; attempt++) {
            boolean committing = false;
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    committing = true;
                    c.commit();
                    return result;
                } catch (SQLException | IOException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                if (retryable(e) && attempt < ATTEMPTS) {
                    continue;
                }
                // A connection that died before the commit was sent (PostgreSQL restarted under
                // the pool): nothing of the work happened, so it runs once more on new
                // connections. A failure during the commit may have committed: never repeated.
                if (!committing && !reconnected && connectionLost(e)) {
                    reconnected = true;
                    evictPooledConnections();
                    continue;
                }
                throw failure(e);
            } catch (IOException e) {
                throw failure(e);
            }
        }
    }

    /** Runs {@code work} outside a transaction (each statement commits on its own); for reads. */
    public <T> T read(Work<T> work) {
        for (boolean reconnected = false; ; reconnected = true) {
            try (Connection c = pool.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                if (!reconnected && connectionLost(e)) {
                    evictPooledConnections();
                    continue;
                }
                throw failure(e);
            } catch (IOException e) {
                throw failure(e);
            }
        }
    }

    /**
     * SQLSTATE class 08 (connection exception) and the server's shutdown states: the pooled
     * connections are from before a PostgreSQL restart or failover.
     */
    private static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    /** The other idle connections in the pool died with the one that failed: none is handed out again. */
    private void evictPooledConnections() {
        var bean = pool.getHikariPoolMXBean();
        if (bean != null) {
            bean.softEvictConnections();
        }
    }

    /**
     * A connection outside the pool, for a node's LISTEN connection, which lives as long as the
     * node and must not take a pool slot; {@code purpose} names it in {@code application_name}.
     */
    public Connection dedicatedConnection(String purpose) throws SQLException {
        Properties properties = new Properties();
        properties.putAll(credentials);
        properties.setProperty("ApplicationName", applicationName(purpose, node));
        return DriverManager.getConnection(url, properties);
    }

    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    private static StoreException failure(Exception e) {
        if (e instanceof SQLException sql) {
            // The server's message may quote a row (an address): the state says what happened.
            log.warn("PostgreSQL operation failed: SQLSTATE {}", sql.getSQLState());
            return new StoreException("storage failure: " + e.getClass().getSimpleName(), e);
        }
        log.warn("PostgreSQL operation failed", e);
        return new StoreException("storage failure: " + e.getClass().getSimpleName(), e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed: SQLSTATE {}", e.getSQLState());
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
