package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.StorageSettings;
import chatmail.policy.fixtures.TestMessages;
import chatmail.store.Account;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three relay nodes on 127.0.0.2, 127.0.0.3 and 127.0.0.4 sharing one PostgreSQL database
 * (SCALE-2), started at the same moment on an empty database, with real SMTP and IMAP clients.
 */
class ClusterNodesTest {
    private static final String PASSWORD = ImapFixture.PASSWORD;

    @TempDir
    static Path dir;
    static List<TestRelay> nodes = new ArrayList<>();

    @BeforeAll
    static void startThreeNodesAtOnce() throws Exception {
        // Empty, as an operator creates it: the nodes migrate it, all starting at once.
        StorageSettings database = TestPostgres.get().newEmptyDatabase();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<TestRelay>> starting = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 2; i <= 4; i++) {
                String address = "127.0.0." + i;
                Path data = dir.resolve("node" + i);
                starting.add(executor.submit(() -> {
                    go.await();
                    return TestRelay.start(data, b -> {
                        b.listenAddresses = List.of(address);
                        b.storage = database;
                        // Rate limits are per node; these tests send more than a burst.
                        b.maxUserSendBurstSize = 100;
                    });
                }));
            }
            go.countDown();
            for (Future<TestRelay> node : starting) {
                nodes.add(node.get(120, TimeUnit.SECONDS));
            }
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(TestRelay::close);
    }

    @Test
    void aMessageSubmittedOnOneNodeShowsAsExistsOnAnIdleConnectionHeldByAnother() throws Exception {
        String sender = TestRelay.address("idlesendr");
        String user = TestRelay.address("idlerecpt");
        try (ImapTestClient idler = ImapTestClient.imaps(nodes.get(1)).login(user, PASSWORD)) {
            idler.ok("SELECT INBOX");
            idler.send("i IDLE\r\n");
            assertThat(idler.line()).isEqualTo("+ idling");

            SmtpSubmitter.submit(nodes.get(0), sender, PASSWORD, user, TestMessages.encrypted(sender, user));

            // Within the client's read deadline, with no client action: the other node heard it.
            assertThat(idler.lineSkippingKeepAlives()).isEqualTo("* 1 EXISTS");
            idler.send("DONE\r\n");
            assertThat(idler.line()).isEqualTo("i OK Idle completed.");
        }
        try (ImapTestClient third = ImapTestClient.imaps(nodes.get(2)).login(user, PASSWORD)) {
            third.ok("SELECT INBOX");
            assertThat(third.command("f", "UID FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (FROM)])")).containsExactly(
                    "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] " + ImapFetchTest.lit("From: <" + sender + ">\r\n\r\n") + ")",
                    "f OK Fetch completed.");
        }
    }

    @Test
    void concurrentFirstLoginsOfOneNewAddressOnThreeNodesCreateOneAccount() throws Exception {
        String user = TestRelay.address("racelogin");
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Account>> logins = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 3; round++) {
                for (TestRelay node : nodes) {
                    logins.add(executor.submit(() -> {
                        go.await();
                        return node.relay().accounts().login(user, PASSWORD).orElseThrow();
                    }));
                }
            }
            go.countDown();
            List<Long> ids = new ArrayList<>();
            for (Future<Account> login : logins) {
                ids.add(login.get(60, TimeUnit.SECONDS).id());
            }
            assertThat(ids).hasSize(9).containsOnly(ids.getFirst());
        }
        for (TestRelay node : nodes) {
            assertThat(node.relay().store().findAccount(user)).hasValueSatisfying(a -> assertThat(a.id()).isEqualTo(
                    nodes.getFirst().relay().store().findAccount(user).orElseThrow().id()));
        }
    }

    /**
     * Deliveries through two nodes into one mailbox while a client on the third keeps looking:
     * every look shows UIDs 1..n without a gap, so no UID ever appears after a higher one did
     * (Delta Chat would skip it for good).
     */
    @Test
    void concurrentDeliveriesThroughDifferentNodesShowUidsOnlyInIncreasingOrder() throws Exception {
        String sender = TestRelay.address("ordersndr");
        String user = TestRelay.address("orderrcpt");
        int perNode = 15;
        List<TreeSet<Long>> looks = new ArrayList<>();
        try (ImapTestClient watcher = ImapTestClient.imaps(nodes.get(2)).login(user, PASSWORD);
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            watcher.ok("SELECT INBOX");
            List<Future<?>> sending = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                TestRelay node = nodes.get(n);
                sending.add(executor.submit(() -> {
                    for (int i = 0; i < perNode; i++) {
                        SmtpSubmitter.submit(node, sender, PASSWORD, user, TestMessages.encrypted(sender, user));
                    }
                    return null;
                }));
            }
            // The highest EXISTS the session reported: a look's SEARCH may predate an EXISTS sent
            // in the same response, and IDLE reports only what the session did not tell yet.
            int known = 0;
            while (sending.stream().anyMatch(f -> !f.isDone())) {
                List<String> response = watcher.ok("UID SEARCH ALL");
                known = Math.max(known, exists(response));
                looks.add(uids(response));
            }
            for (Future<?> f : sending) {
                f.get();
            }
            List<String> response = watcher.ok("UID SEARCH ALL");
            known = Math.max(known, exists(response));
            looks.add(uids(response));
            // The last notifications may still be on their way from the other nodes: wait for them.
            for (int round = 0; looks.getLast().size() < 2 * perNode && round < 2 * perNode; round++) {
                if (known < 2 * perNode) {
                    watcher.send("i IDLE\r\n");
                    assertThat(watcher.line()).isEqualTo("+ idling");
                    String line;
                    do {
                        line = watcher.lineSkippingKeepAlives();
                    } while (!line.endsWith(" EXISTS"));
                    watcher.send("DONE\r\n");
                    List<String> rest = watcher.until("i");
                    assertThat(rest.getLast()).isEqualTo("i OK Idle completed.");
                    known = Math.max(known, Math.max(exists(List.of(line)), exists(rest)));
                }
                response = watcher.ok("UID SEARCH ALL");
                known = Math.max(known, exists(response));
                looks.add(uids(response));
            }
        }
        assertThat(looks.getLast()).hasSize(2 * perNode);
        for (TreeSet<Long> look : looks) {
            assertThat(look.isEmpty() || look.last() == look.size())
                    .as("UIDs seen at one look are 1..n without a gap: %s", look).isTrue();
        }
    }

    @Test
    void deletingAnAccountOnOneNodeEndsItsSessionsOnTheOthers() throws Exception {
        String user = TestRelay.address("deleteacc");
        try (ImapTestClient idling = ImapTestClient.imaps(nodes.get(1)).login(user, PASSWORD);
                ImapTestClient busy = ImapTestClient.imaps(nodes.get(2)).login(user, PASSWORD)) {
            idling.ok("SELECT INBOX");
            idling.send("i IDLE\r\n");
            assertThat(idling.line()).isEqualTo("+ idling");
            busy.ok("SELECT INBOX");

            Account account = nodes.get(0).relay().store().findAccount(user).orElseThrow();
            nodes.get(0).relay().store().deleteAccount(account.id());

            assertThat(idling.lineSkippingKeepAlives()).isEqualTo("* BYE Account deleted.");
            assertThat(idling.closedByServer()).isTrue();
            assertThat(busy.closedByServer()).isTrue();
        }
    }

    /**
     * SCALE-3: PostgreSQL restarts (stopped the hard way) while a session idles on node 3; the
     * nodes reconnect, a message submitted on node 2 afterwards is stored once, and the idling
     * session hears of it, whether through a notification or through the re-check its node's
     * listener makes when it reconnects.
     */
    @Test
    void afterAPostgresqlRestartTheNodesReconnectAndAnIdleSessionHearsOfNewMail() throws Exception {
        String sender = TestRelay.address("restartsn");
        String user = TestRelay.address("restartrc");
        try (ImapTestClient idler = ImapTestClient.imaps(nodes.get(2)).login(user, PASSWORD)) {
            SmtpSubmitter.submit(nodes.get(1), sender, PASSWORD, user, TestMessages.encrypted(sender, user));
            idler.ok("SELECT INBOX");
            idler.send("i IDLE\r\n");
            assertThat(idler.line()).isEqualTo("+ idling");

            TestPostgres.get().restart();

            SmtpSubmitter.submit(nodes.get(1), sender, PASSWORD, user, TestMessages.encrypted(sender, user));
            assertThat(idler.lineSkippingKeepAlives()).isEqualTo("* 2 EXISTS");
            idler.send("DONE\r\n");
            assertThat(idler.line()).isEqualTo("i OK Idle completed.");
            assertThat(uids(idler.ok("UID SEARCH ALL"))).containsExactly(1L, 2L);
        }
    }

    private static int exists(List<String> lines) {
        int exists = 0;
        for (String line : lines) {
            if (line.startsWith("* ") && line.endsWith(" EXISTS")) {
                exists = Math.max(exists, Integer.parseInt(line.substring(2, line.length() - " EXISTS".length())));
            }
        }
        return exists;
    }

    private static TreeSet<Long> uids(List<String> lines) {
        TreeSet<Long> uids = new TreeSet<>();
        for (String line : lines) {
            if (line.startsWith("* SEARCH")) {
                for (String part : line.substring("* SEARCH".length()).trim().split(" ")) {
                    if (!part.isEmpty()) {
                        uids.add(Long.parseLong(part));
                    }
                }
            }
        }
        return uids;
    }
}
