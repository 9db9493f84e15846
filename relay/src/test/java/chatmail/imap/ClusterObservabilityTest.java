package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.config.StorageSettings;
import chatmail.policy.fixtures.TestMessages;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.testing.ExpositionReaders;
import chatmail.testing.PrometheusText;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL database as an operator watches them (SCALE-2, OPS-3): which
 * figures of {@code chatmail status} and of the metrics are the cluster's and which each node's,
 * the counters of the cross-node notifications, and a notifier that lost a batch making the
 * other node's IDLE sessions re-check once it reaches PostgreSQL again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterObservabilityTest {
    private static final String PASSWORD = ImapFixture.PASSWORD;
    private static final Pattern NODE_LINE = Pattern.compile("\nnode: ([0-9a-f-]{36}) \\(storage postgresql, shared with the other nodes\\)\n");

    @TempDir
    static Path dir;
    static StorageSettings database;
    static final List<TestRelay> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startTwoNodes() throws Exception {
        database = TestPostgres.get().newDatabase();
        for (int i = 2; i <= 3; i++) {
            String address = "127.0.0." + i;
            nodes.add(TestRelay.start(dir.resolve("node" + i), b -> {
                b.listenAddresses = List.of(address);
                b.storage = database;
                b.metricsAddress = "127.0.0.1:9";
            }));
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(TestRelay::close);
    }

    /** First, so no session of another test is still closing on B. */
    @Test
    @Order(1)
    void statusAndMetricsSayWhichFiguresAreTheClustersAndWhichTheNodes() throws Exception {
        TestRelay a = nodes.get(0);
        TestRelay b = nodes.get(1);
        String sender = TestRelay.address("scopesndr");
        String user = TestRelay.address("scoperecp");
        // One remote recipient queued through node A (nothing answers DNS for test relays, so it stays).
        SmtpSubmitter.submit(a, sender, PASSWORD, user, TestMessages.encrypted(sender, user));
        a.relay().outbound().enqueue(sender, List.of("someone@example.org"), TestMessages.encrypted(sender, "someone@example.org"));

        try (ImapTestClient onB = ImapTestClient.imaps(b).login(user, PASSWORD)) {
            onB.ok("SELECT INBOX");
            String statusA = status(a);
            String statusB = status(b);
            String nodeA = nodeOf(statusA);
            String nodeB = nodeOf(statusB);
            assertThat(nodeA).isNotEqualTo(nodeB);
            List<List<String>> clusterParts = new ArrayList<>();
            for (String text : List.of(statusA, statusB)) {
                assertThat(text).startsWith("[this node]\nversion: ").contains("health: ok");
                String own = text.substring(0, text.indexOf("[cluster: every node's, read from the shared database]\n"));
                String cluster = text.substring(own.length());
                assertThat(own).contains("\nconnections: ", "\ncross-node notifications: ", "\ncertificate: ")
                        .doesNotContain("outbound queue:", "push queue:", "accounts:");
                assertThat(cluster).contains("\naccounts: ", "\nstored: ", "\noutbound queue: 1 recipients, ",
                        "by destination: example.org 1", "\npush queue: ");
                // The same figures on both nodes (the outbound line also says how long ago, which may move on).
                clusterParts.add(cluster.lines().filter(l -> !l.startsWith("outbound queue: ")).toList());
            }
            assertThat(clusterParts.get(0)).isEqualTo(clusterParts.get(1));
            // The session on B is B's alone.
            assertThat(statusA).containsPattern("\nconnections: mx 0, submission \\d+, imap 0, https 0; in IDLE 0\n");
            assertThat(statusB).containsPattern("\nconnections: mx 0, submission 0, imap 1, https 0; in IDLE 0\n");
            // The node status names is the holder of the queue claims that node makes.
            assertThat(claimHolders()).containsExactly(nodeA);

            String textA = scrapeText(a);
            Map<String, Double> metricsA = PrometheusText.parse(textA);
            Map<String, Double> metricsB = scrape(b);
            for (Map<String, Double> m : List.of(metricsA, metricsB)) {
                for (String cluster : List.of("chatmail_outbound_queue_size", "chatmail_push_queue_size", "chatmail_accounts",
                        "chatmail_stored_messages", "chatmail_stored_bytes", "chatmail_outbound_queue_oldest_age_seconds",
                        "chatmail_push_queue_oldest_age_seconds")) {
                    assertThat(m).as(cluster).containsKey(PrometheusText.key(cluster, "scope", "cluster"))
                            .doesNotContainKey(PrometheusText.key(cluster, "scope", "node"));
                }
                assertThat(PrometheusText.value(m, "chatmail_outbound_queue_size", "scope", "cluster")).isEqualTo(1);
                assertThat(PrometheusText.value(m, "chatmail_accounts", "scope", "cluster")).isEqualTo(accounts());
                assertThat(m.keySet().stream().filter(k -> k.startsWith("chatmail_connections{")))
                        .hasSize(4).allMatch(k -> k.contains("scope=\"node\""));
                assertThat(m).containsKey(PrometheusText.key("chatmail_imap_idle_sessions", "scope", "node"));
            }
            assertThat(PrometheusText.value(metricsA, "chatmail_node_info", "node", nodeA, "storage", "postgresql", "scope", "node"))
                    .isEqualTo(1);
            assertThat(PrometheusText.value(metricsB, "chatmail_node_info", "node", nodeB, "storage", "postgresql", "scope", "node"))
                    .isEqualTo(1);
            assertThat(PrometheusText.value(metricsA, "chatmail_connections", "service", "imap", "scope", "node")).isZero();
            assertThat(PrometheusText.value(metricsB, "chatmail_connections", "service", "imap", "scope", "node")).isEqualTo(1);
            ExpositionReaders.agree(textA);
        }
    }

    @Test
    void crossNodeNotificationsAreCounted() throws Exception {
        TestRelay a = nodes.get(0);
        TestRelay b = nodes.get(1);
        String sender = TestRelay.address("countsndr");
        String user = TestRelay.address("countrecp");
        try (ImapTestClient idler = idling(b, user)) {
            Map<String, Double> beforeA = scrape(a);
            Map<String, Double> beforeB = scrape(b);
            SmtpSubmitter.submit(a, sender, PASSWORD, user, TestMessages.encrypted(sender, user));
            assertThat(idler.lineSkippingKeepAlives()).isEqualTo("* 1 EXISTS");
            Map<String, Double> afterA = scrape(a);
            Map<String, Double> afterB = scrape(b);
            assertThat(delta(beforeA, afterA, "chatmail_cluster_notifications_sent_total")).isGreaterThanOrEqualTo(1);
            assertThat(delta(beforeA, afterA, "chatmail_cluster_notify_batches_total")).isBetween(1.0,
                    delta(beforeA, afterA, "chatmail_cluster_notifications_sent_total"));
            assertThat(delta(beforeB, afterB, "chatmail_cluster_notifications_received_total")).isGreaterThanOrEqualTo(1);
            for (Map<String, Double> m : List.of(afterA, afterB)) {
                assertThat(PrometheusText.value(m, "chatmail_cluster_notify_batches_dropped_total")).isZero();
                assertThat(PrometheusText.value(m, "chatmail_cluster_recheck_requests_total")).isZero();
                assertThat(PrometheusText.value(m, "chatmail_cluster_listener_reconnects_total")).isZero();
            }
        }
    }

    /**
     * The notifier's connection is killed and no new connection to the database is allowed
     * while node A delivers: the batch and its retry fail and the batch is dropped. Node B's
     * listener stayed connected, so nothing tells it of the message, until A reaches the
     * database again and asks every node to re-check its IDLE sessions.
     */
    @Test
    void aDroppedNotificationBatchMakesTheOtherNodesRecheckTheirIdleSessions() throws Exception {
        TestRelay a = nodes.get(0);
        TestRelay b = nodes.get(1);
        String sender = TestRelay.address("dropsendr");
        String user = TestRelay.address("droprecpt");
        String nodeA = nodeOf(status(a));
        // Both accounts exist and A's pool has its connections before new ones are refused.
        SmtpSubmitter.submit(a, sender, PASSWORD, sender, TestMessages.encrypted(sender, sender));
        String databaseName = databaseName();
        try (ImapTestClient idler = idling(b, user);
                Connection admin = TestPostgres.get().connect("postgres")) {
            Map<String, Double> beforeB = scrape(b);
            int notifier;
            try (PreparedStatement s = admin.prepareStatement(
                    "SELECT pid FROM pg_stat_activity WHERE datname = ? AND application_name = ?")) {
                s.setString(1, databaseName);
                s.setString(2, PostgresDatabase.applicationName("notify", nodeA));
                try (ResultSet rs = s.executeQuery()) {
                    assertThat(rs.next()).as("node A's notifier is connected").isTrue();
                    notifier = rs.getInt(1);
                    assertThat(rs.next()).isFalse();
                }
            }
            try (Statement s = admin.createStatement()) {
                s.execute("ALTER DATABASE " + databaseName + " ALLOW_CONNECTIONS false");
                try {
                    assertThat(terminate(admin, notifier)).isTrue();
                    SmtpSubmitter.submit(a, sender, PASSWORD, user, TestMessages.encrypted(sender, user));
                    await(() -> counter(a, "chatmail_cluster_notify_batches_dropped_total") == 1);
                } finally {
                    s.execute("ALTER DATABASE " + databaseName + " ALLOW_CONNECTIONS true");
                }
            }
            // Only the re-check A asks for once it reconnects can tell B's session.
            assertThat(idler.lineSkippingKeepAlives()).isEqualTo("* 1 EXISTS");
            assertThat(counter(a, "chatmail_cluster_recheck_requests_total")).isEqualTo(1);
            assertThat(counter(b, "chatmail_cluster_listener_reconnects_total")).as("B's listener stayed connected")
                    .isEqualTo(PrometheusText.value(beforeB, "chatmail_cluster_listener_reconnects_total"));
            idler.send("DONE\r\n");
            assertThat(idler.line()).isEqualTo("i OK Idle completed.");
        }
        assertThat(status(a)).contains(" 1 batches dropped, ");
    }

    private static boolean terminate(Connection admin, int pid) throws Exception {
        try (PreparedStatement s = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Polls for a state no event announces (a counter of another thread), failing after a minute. */
    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static double counter(TestRelay node, String name) {
        return PrometheusText.value(PrometheusText.scrape(node.relay().metrics()), name);
    }

    private static ImapTestClient idling(TestRelay node, String user) throws Exception {
        ImapTestClient c = ImapTestClient.imaps(node).login(user, PASSWORD);
        c.ok("SELECT INBOX");
        c.send("i IDLE\r\n");
        assertThat(c.line()).isEqualTo("+ idling");
        return c;
    }

    private static String databaseName() {
        return database.postgresqlUrl().replaceAll(".*/([^/?]+)\\?.*", "$1");
    }

    private static long accounts() throws Exception {
        try (Connection c = TestPostgres.get().connect(databaseName()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM accounts")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<String> claimHolders() throws Exception {
        List<String> holders = new ArrayList<>();
        try (Connection c = TestPostgres.get().connect(databaseName()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT DISTINCT claimed_by FROM outbound_recipients WHERE claimed_by IS NOT NULL")) {
            while (rs.next()) {
                holders.add(rs.getString(1));
            }
        }
        return holders;
    }

    private static String nodeOf(String status) {
        Matcher m = NODE_LINE.matcher(status);
        assertThat(m.find()).as(status).isTrue();
        return m.group(1);
    }

    /** {@code chatmail status} against the node's admin socket, as an operator runs it there. */
    private static String status(TestRelay node) throws Exception {
        Path ini = Files.writeString(dir.resolve("status-" + node.config().dataDir().getFileName() + ".ini"),
                "[params]\nmail_domain = " + TestRelay.DOMAIN + "\ndata_dir = " + node.config().dataDir() + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "status", "--config", ini.toString());
        assertThat(code).as(out + "" + err).isZero();
        return out.toString();
    }

    private String scrapeText(TestRelay node) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("metrics") + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private Map<String, Double> scrape(TestRelay node) throws Exception {
        return PrometheusText.parse(scrapeText(node));
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return PrometheusText.value(after, name) - PrometheusText.value(before, name);
    }
}
