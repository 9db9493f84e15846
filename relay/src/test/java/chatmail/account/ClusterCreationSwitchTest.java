package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.config.StorageSettings;
import chatmail.imap.ImapTestClient;
import chatmail.testing.MetricValues;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account-creation switch of a relay of two nodes on one PostgreSQL database (SCALE-2,
 * ACC-5): switched with the command against one node's config, it holds on the other node with
 * its next login, with the very reply the node's own {@code data_dir/nocreate} file gives.
 */
class ClusterCreationSwitchTest {
    private static final String PASSWORD = "cluster-switch-password";
    private static final String REFUSED = "a NO [AUTHENTICATIONFAILED] Authentication failed.";

    @TempDir
    static Path dir;
    static StorageSettings database;
    static TestRelay node1;
    static TestRelay node2;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        database = TestPostgres.get().newDatabase();
        node1 = node("127.0.0.2", dir.resolve("node2"));
        node2 = node("127.0.0.3", dir.resolve("node3"));
    }

    private static TestRelay node(String address, Path data) throws Exception {
        return TestRelay.start(data, b -> {
            b.listenAddresses = List.of(address);
            b.storage = database;
        });
    }

    @AfterAll
    static void stop() {
        for (TestRelay node : new TestRelay[] {node1, node2}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void switchedOffByTheCommandOnOneNodeANewAddressIsRefusedOnTheOtherUntilSwitchedOn() throws Exception {
        String existing = TestRelay.address("existing1");
        String newcomer = TestRelay.address("newcomer1");
        assertThat(login(node2, existing)).startsWith("a OK");

        // What a node's own file switch answers: the reply the shared switch must give too.
        Path nocreate = node2.config().dataDir().resolve("nocreate");
        Files.createFile(nocreate);
        assertThat(login(node2, newcomer)).isEqualTo(REFUSED);
        Files.delete(nocreate);
        assertThat(node2.relay().store().findAccount(newcomer)).isEmpty();

        Path ini1 = ini(node1);
        assertThat(command(ini1, "off")).isEqualTo("account creation: off for every node (the shared PostgreSQL database)\n");

        assertThat(login(node2, newcomer)).isEqualTo(REFUSED);
        assertThat(node1.relay().store().findAccount(newcomer)).isEmpty();
        assertThat(login(node2, existing)).as("logins of existing accounts go on").startsWith("a OK");
        assertThat(login(node1, existing)).startsWith("a OK");
        assertThat(MetricValues.counter(node2.relay().metrics(), "chatmail_accounts_refused", Labels.of("reason", "nocreate")))
                .isEqualTo(2);
        assertThat(command(ini(node2), "status")).isEqualTo("account creation: off for every node (the shared PostgreSQL database)\n");

        assertThat(command(ini1, "on")).isEqualTo("account creation: on for every node (the shared PostgreSQL database)\n");
        assertThat(login(node2, newcomer)).startsWith("a OK");
        assertThat(node1.relay().store().findAccount(newcomer)).isPresent();

        // A node's own file still holds on that node alone, and the status names it.
        Files.createFile(nocreate);
        try {
            assertThat(command(ini(node2), "status")).isEqualTo("account creation: on for every node (the shared PostgreSQL "
                    + "database)\nthis node: off (" + nocreate + " exists)\n");
            assertThat(login(node2, TestRelay.address("newcomer2"))).isEqualTo(REFUSED);
            assertThat(login(node1, TestRelay.address("newcomer3"))).startsWith("a OK");
        } finally {
            Files.delete(nocreate);
        }
    }

    @Test
    void withSqliteTheCommandSetsTheNocreateFile() throws Exception {
        Path data = dir.resolve("single");
        Path ini = Files.writeString(dir.resolve("single.ini"), "[params]\nmail_domain = chatmail.localhost\ndata_dir = "
                + data + "\n");
        StringWriter err = new StringWriter();
        assertThat(Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "accounts", "creation", "off", "-c", ini.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("chatmail: cannot create " + data.resolve("nocreate") + ": data_dir " + data
                + " does not exist" + System.lineSeparator());

        Files.createDirectories(data);
        assertThat(command(ini, "off")).isEqualTo("account creation: off (" + data.resolve("nocreate") + ")\n");
        assertThat(data.resolve("nocreate")).exists();
        assertThat(command(ini, "status")).isEqualTo("account creation: off (" + data.resolve("nocreate") + ")\n");
        assertThat(command(ini, "on")).isEqualTo("account creation: on (" + data.resolve("nocreate") + ")\n");
        assertThat(data.resolve("nocreate")).doesNotExist();
    }

    /** The tagged reply to an IMAP LOGIN over TLS. */
    private static String login(TestRelay node, String address) throws Exception {
        try (ImapTestClient c = ImapTestClient.imaps(node)) {
            // The greeting comes first, untagged; the tagged reply last.
            List<String> reply = c.command("a", "LOGIN " + address + " " + PASSWORD);
            return reply.getLast();
        }
    }

    private static Path ini(TestRelay node) throws Exception {
        StorageSettings s = node.config().storage();
        return Files.writeString(dir.resolve(node.config().listenAddresses().getFirst() + ".ini"),
                "[params]\nmail_domain = " + node.config().mailDomain() + "\ndata_dir = " + node.config().dataDir()
                        + "\nstorage = postgresql\npostgresql_url = " + s.postgresqlUrl()
                        + "\npostgresql_password_file = " + s.postgresqlPasswordFile() + "\n");
    }

    private static String command(Path ini, String action) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "accounts", "creation", action, "-c", ini.toString());
        assertThat(err.toString()).isEmpty();
        assertThat(exit).isZero();
        return out.toString().replace(System.lineSeparator(), "\n");
    }
}
