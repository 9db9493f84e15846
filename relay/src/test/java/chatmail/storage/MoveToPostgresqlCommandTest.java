package chatmail.storage;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.account.NocreateFile;
import chatmail.account.PasswordHasher;
import chatmail.acme.AcmeAccount;
import chatmail.cli.Main;
import chatmail.config.Config;
import chatmail.config.StorageSettings;
import chatmail.delivery.outbound.QueuedRecipient;
import chatmail.imap.DeviceTokens;
import chatmail.imap.ImapTestClient;
import chatmail.push.PushJob;
import chatmail.store.Acceptance;
import chatmail.store.Account;
import chatmail.store.DataDirLock;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageBody;
import chatmail.store.MessageInfo;
import chatmail.store.NewMessage;
import chatmail.store.QueuedCopy;
import chatmail.store.sqlite.TestMessages;
import chatmail.testing.TestPostgres;
import chatmail.testing.TestRelay;
import chatmail.tls.CertificateNames;
import chatmail.tls.KeyMaterial;
import chatmail.tls.SelfSignedCertificate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chatmail move-to-postgresql} (SCALE-1): a single relay's data_dir filled through its real
 * stores, moved into a real PostgreSQL database, read back through the PostgreSQL stores item by
 * item, and served by a relay on the moved database; the refusals beside a running relay and on a
 * database that holds data; a move that stopped half-way started over.
 */
class MoveToPostgresqlCommandTest {
    private static final String PASSWORD = "the-old-password";
    private static final Instant FAR = Instant.parse("9999-01-01T00:00:00Z");
    private static final int LARGE = 70 * 1024;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Clock clock = Clock.systemUTC();
    private Path data;
    private Path ini;
    private StorageSettings database;
    private Config sqlite;

    @BeforeEach
    void paths() throws Exception {
        data = dir.resolve("data");
        database = TestPostgres.get().newDatabase();
        ini = Files.writeString(dir.resolve("chatmail.ini"), "[params]\nmail_domain = " + TestRelay.DOMAIN
                + "\ndata_dir = " + data + "\npostgresql_url = " + database.postgresqlUrl()
                + "\npostgresql_password_file = " + database.postgresqlPasswordFile() + "\n");
        Config.Builder b = Config.builder(TestRelay.DOMAIN);
        b.dataDir = data;
        sqlite = b.build();
    }

    private int move() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "move-to-postgresql", "--config",
                ini.toString(), "--progress-seconds", "3600");
    }

    private Config postgresql() {
        Config.Builder b = sqlite.toBuilder();
        b.storage = database;
        return b.build();
    }

    /** What the single relay holds, filled through its own stores as a running relay fills them. */
    private record Filled(List<String> addresses, String turnSecret, AcmeAccount acme, KeyMaterial certificate,
                          List<QueuedRecipient> outbound, byte[] queued, List<PushJob> push) {}

    private Filled fill() throws Exception {
        PasswordHasher hasher = new PasswordHasher();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String alice = TestRelay.address("alice0001");
        String bob = TestRelay.address("bob000001");
        try (Storage storage = Storage.open(sqlite, clock)) {
            MailStore store = storage.mailStore();
            Account a = store.importAccount(alice, hasher.hash(PASSWORD), today.minusDays(40), today.minusDays(3));
            Account b = store.createAccountIfAbsent(bob, hasher.hash("bobs-password"), today);
            Mailbox inbox = store.mailbox(a.id(), "INBOX").orElseThrow();
            Mailbox bobInbox = store.mailbox(b.id(), "INBOX").orElseThrow();
            Mailbox deltaChat = store.createMailbox(a.id(), "DeltaChat");
            Instant t = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            for (int i = 1; i <= 4; i++) {
                store.deliver(new NewMessage(TestMessages.message(i, 300 + i), t.minusSeconds(600 - i)),
                        List.of(new DeliveryTarget(inbox.id(), Set.of())));
            }
            // One body for both recipients, as a local delivery to two accounts stores it.
            store.deliver(new NewMessage(TestMessages.message(5, 900), t.minusSeconds(100)),
                    List.of(new DeliveryTarget(inbox.id(), Set.of()), new DeliveryTarget(bobInbox.id(), Set.of("\\Seen"))));
            store.deliver(new NewMessage(TestMessages.message(6, LARGE), t.minusSeconds(50)),
                    List.of(new DeliveryTarget(inbox.id(), Set.of())));
            store.deliver(new NewMessage(TestMessages.message(7, 400), t), List.of(new DeliveryTarget(deltaChat.id(),
                    Set.of("\\Seen"))));
            store.updateFlags(inbox.id(), List.of(1L, 3L), MailStore.FlagUpdate.ADD, Set.of("\\Seen", "$Label1"));
            store.updateFlags(inbox.id(), List.of(3L), MailStore.FlagUpdate.ADD, Set.of("\\Flagged"));
            store.expunge(inbox.id(), List.of(2L));
            store.expunge(deltaChat.id(), List.of(1L));
            store.deliver(new NewMessage(TestMessages.message(8, 500), t), List.of(new DeliveryTarget(deltaChat.id(),
                    Set.of())));
            store.addMetadataValue(a.id(), DeviceTokens.ENTRY, "token-one", t.plus(Duration.ofDays(80)), 20);
            store.addMetadataValue(a.id(), DeviceTokens.ENTRY, "token-two", t.plus(Duration.ofDays(89)), 20);
            store.saveLoginVerifier(a.id(), 77, new byte[] {1, 2, 3, 4});

            byte[] queued = TestMessages.message(9, 2000);
            List<QueuedRecipient> entries = storage.outboundQueue().add(alice, List.of("carol@remote.example",
                    "dave@other.example"), queued, t.minusSeconds(3600), null);
            storage.outboundQueue().retryAt(entries.getFirst().id(), 3, t.plusSeconds(900), "451 4.7.1 try later");
            // A submission's copy queued before its DKIM signature was made: its attempt must still sign it.
            store.commit(new Acceptance(List.of(), Optional.of(new QueuedCopy(alice, List.of("erin@remote.example"),
                    new byte[0], MessageBody.of(TestMessages.message(10, 700)), t.minusSeconds(60), null, true))));
            storage.pushQueue().add(a.id(), List.of("token-two"), t.minusSeconds(30));
            PushJob job = storage.pushQueue().due(FAR, 10).getFirst();
            storage.pushQueue().retryAt(job, 2, t.minusSeconds(20), t.plusSeconds(60));

            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            AcmeAccount acme = new AcmeAccount(keys, URI.create("https://ca.example/directory"),
                    Optional.of(URI.create("https://ca.example/acct/12").toURL()));
            storage.acmeState().saveAccount(acme);
            KeyMaterial certificate = SelfSignedCertificate.generate(TestRelay.DOMAIN,
                    new CertificateNames(Set.of(TestRelay.DOMAIN), Set.of()), clock);
            storage.acmeState().saveCertificate(certificate);
            String turn = storage.turnSecret().secret();
            new NocreateFile(data).set(true);
            return new Filled(List.of(alice, bob), turn, acme, certificate,
                    storage.outboundQueue().due(FAR, 10), queued, storage.pushQueue().due(FAR, 10));
        }
    }

    /** Every mailbox of every account with its counters, messages and bodies, as the store hands them out. */
    private static Map<String, Object> contents(MailStore store, List<String> addresses) throws Exception {
        Map<String, Object> all = new LinkedHashMap<>();
        Instant now = Instant.now();
        for (String address : addresses) {
            Account account = store.findAccount(address).orElseThrow();
            all.put(address, List.of(account.passwordHash(), account.created(), account.lastLogin(),
                    store.metadataValues(account.id(), DeviceTokens.ENTRY, now)));
            for (Mailbox mailbox : store.mailboxes(account.id())) {
                MailboxSnapshot snapshot = store.snapshot(mailbox.id());
                List<Object> messages = new ArrayList<>();
                for (MessageInfo info : snapshot.messages()) {
                    messages.add(List.of(info, new String(store.content(mailbox.id(), info.uid()), StandardCharsets.US_ASCII)));
                }
                all.put(address + " " + mailbox.name(), List.of(mailbox.uidValidity(), snapshot.uidNext(),
                        snapshot.highestModseq(), messages));
            }
        }
        return all;
    }

    @Test
    void movesEverythingSoThatARelayOnTheDatabaseServesTheSameMailboxes() throws Exception {
        Filled filled = fill();
        Map<String, Object> before;
        try (Storage storage = Storage.open(sqlite, clock)) {
            before = contents(storage.mailStore(), filled.addresses());
        }

        assertThat(move()).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString().replaceAll("done in [0-9.]+ s", "done in T s")).isEqualTo(
                "move-to-postgresql: moving 2 accounts from " + data + "\n"
                + "move-to-postgresql: done in T s: 2 accounts (1 login verifiers, 2 metadata values), 3 mailboxes,"
                + " 7 messages (" + (301 + 303 + 304 + 900 + LARGE + 900 + 500) + " bytes); outbound queue:"
                + " 2 messages for 3 recipients; push queue: 1 notifications\n"
                + "move-to-postgresql: ACME account moved, certificate moved, TURN secret moved, account creation off\n"
                + "move-to-postgresql: now set storage = postgresql in " + ini + " and start the nodes\n");

        try (Storage storage = Storage.open(postgresql(), clock)) {
            MailStore store = storage.mailStore();
            assertThat(contents(store, filled.addresses())).isEqualTo(before);
            Account alice = store.findAccount(filled.addresses().getFirst()).orElseThrow();
            Mailbox inbox = store.mailbox(alice.id(), "INBOX").orElseThrow();
            assertThat(store.snapshot(inbox.id()).messages()).extracting(MessageInfo::uid, MessageInfo::flags)
                    .as("the flags themselves, not only the same on both sides")
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, Set.of("\\Seen", "$Label1")),
                            org.assertj.core.groups.Tuple.tuple(3L, Set.of("\\Seen", "$Label1", "\\Flagged")),
                            org.assertj.core.groups.Tuple.tuple(4L, Set.of()), org.assertj.core.groups.Tuple.tuple(5L, Set.of()),
                            org.assertj.core.groups.Tuple.tuple(6L, Set.of()));
            assertThat(store.findLogin(alice.address(), 77).orElseThrow().verifier()).containsExactly(1, 2, 3, 4);
            assertThat(new PasswordHasher().verify(PASSWORD, alice.passwordHash())).isTrue();

            List<QueuedRecipient> queue = storage.outboundQueue().due(FAR, 10);
            assertThat(queue).extracting(QueuedRecipient::recipient, QueuedRecipient::attempts, QueuedRecipient::createdAt,
                    QueuedRecipient::nextAttemptAt, QueuedRecipient::lastError)
                    .isEqualTo(filled.outbound().stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.recipient(),
                            r.attempts(), r.createdAt(), r.nextAttemptAt(), r.lastError())).toList());
            assertThat(storage.outboundQueue().message(queue.getFirst().messageId())).isEqualTo(filled.queued());
            assertThat(queue).extracting(r -> r.recipient() + " " + storage.outboundQueue().queuedContent(r.messageId()).signAtSend())
                    .as("the mark that the DKIM signature is still to be made moves with its copy")
                    .containsExactlyInAnyOrder("carol@remote.example false", "dave@other.example false",
                            "erin@remote.example true");

            PushJob moved = storage.pushQueue().due(FAR, 10).getFirst();
            PushJob old = filled.push().getFirst();
            assertThat(List.of(moved.accountId(), moved.token(), moved.attempts(), moved.firstAttemptAt(),
                    moved.nextAttemptAt(), moved.generation())).isEqualTo(List.of(alice.id(), old.token(), old.attempts(),
                    old.firstAttemptAt(), old.nextAttemptAt(), old.generation()));

            AcmeAccount acme = storage.acmeState().account().orElseThrow();
            assertThat(acme.keys().getPrivate().getEncoded()).isEqualTo(filled.acme().keys().getPrivate().getEncoded());
            assertThat(acme.directory()).isEqualTo(filled.acme().directory());
            assertThat(acme.location()).isEqualTo(filled.acme().location());
            KeyMaterial certificate = storage.acmeState().certificate().orElseThrow();
            assertThat(certificate.leaf()).isEqualTo(filled.certificate().leaf());
            assertThat(certificate.privateKey().getEncoded()).isEqualTo(filled.certificate().privateKey().getEncoded());
            assertThat(storage.turnSecret().secret()).isEqualTo(filled.turnSecret());
            assertThat(storage.sharedCreationSwitch().orElseThrow().off()).isTrue();
        }

        // A node on the moved database (its own, new data_dir): the old password logs in over TLS, and
        // INBOX has the UIDVALIDITY, UIDs, MODSEQ and bytes the client knew.
        @SuppressWarnings("unchecked")
        List<Object> inbox = (List<Object>) before.get(filled.addresses().getFirst() + " INBOX");
        try (TestRelay node = TestRelay.start(dir.resolve("node"), b -> b.storage = database);
                ImapTestClient imap = ImapTestClient.imaps(node).login(filled.addresses().getFirst(), PASSWORD)) {
            List<String> select = imap.command("s", "SELECT INBOX (CONDSTORE)");
            assertThat(select).contains("* OK [UIDVALIDITY " + inbox.get(0) + "] UIDs valid",
                    "* OK [UIDNEXT " + inbox.get(1) + "] Predicted next UID",
                    "* OK [HIGHESTMODSEQ " + inbox.get(2) + "] Highest");
            List<String> fetch = imap.command("f", "UID FETCH 6 (BODY.PEEK[])");
            assertThat(fetch.getLast()).startsWith("f OK");
            assertThat(fetch.getFirst()).isEqualTo("* 5 FETCH (UID 6 BODY[] {" + LARGE + "}\r\n"
                    + new String(TestMessages.message(6, LARGE), StandardCharsets.US_ASCII) + ")");
        }
    }

    @Test
    void refusesWhileARelayHoldsTheDataDirAndWritesNothing() throws Exception {
        fill();
        try (DataDirLock relay = DataDirLock.acquire(data, "relay")) {
            assertThat(move()).isEqualTo(1);
        }
        assertThat(err.toString()).isEqualTo("chatmail move-to-postgresql: " + data + " is in use by a running relay"
                + " (process " + ProcessHandle.current().pid() + "); stop it first (only one relay, import, restore or"
                + " expire may use a data_dir at a time)\n");
        assertThat(out.toString()).isEmpty();
        assertThat(rows("SELECT count(*) FROM accounts")).isZero();
    }

    @Test
    void refusesADatabaseThatHoldsDataAndASecondMove() throws Exception {
        fill();
        // An account a node made: the database is in use.
        execute("INSERT INTO accounts (address, password_hash, created_day, last_login_day) VALUES ('"
                + TestRelay.address("someone01") + "', 'x', 1, 1)");
        assertThat(move()).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("chatmail move-to-postgresql: the PostgreSQL database is not empty (rows in"
                + " accounts); a move writes only into an empty database: create a new one (CREATE DATABASE ... OWNER ...)"
                + " or empty this one; nothing was written\n");
        assertThat(out.toString()).isEmpty();
        assertThat(rows("SELECT count(*) FROM accounts")).isEqualTo(1);

        execute("DELETE FROM accounts");
        assertThat(move()).as(err.toString()).isZero();
        assertThat(move()).isEqualTo(1);
        assertThat(err.toString()).matches("chatmail move-to-postgresql: the PostgreSQL database holds a finished move"
                + " already \\(done [-0-9T:.]+Z\\); nothing was written\n");
        assertThat(rows("SELECT count(*) FROM accounts")).isEqualTo(2);
    }

    @Test
    void aMoveThatStoppedHalfWayIsStartedOverByTheNextRun() throws Exception {
        fill();
        // What a move killed after its first accounts leaves: its marker and some of the rows.
        execute("INSERT INTO shared_settings (name, value) VALUES ('moved_from_sqlite', 'started 2026-01-01T00:00:00Z')");
        execute("INSERT INTO accounts (address, password_hash, created_day, last_login_day) VALUES ('"
                + TestRelay.address("alice0001") + "', 'x', 1, 1)");
        assertThat(move()).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("move-to-postgresql: an earlier move into this database stopped before"
                + " its end; emptying it and starting over\nmove-to-postgresql: moving 2 accounts from " + data + "\n");
        assertThat(rows("SELECT count(*) FROM accounts")).isEqualTo(2);
        assertThat(rows("SELECT count(*) FROM messages")).isEqualTo(7);
    }

    @Test
    void aSecondMoveWhileOneRunsIsRefusedInsteadOfEmptyingTheFirstOnesWork() throws Exception {
        fill();
        // What a running move holds and has written so far: its lock, its mark, its first account.
        execute("INSERT INTO shared_settings (name, value) VALUES ('moved_from_sqlite', 'started 2026-01-01T00:00:00Z')");
        execute("INSERT INTO accounts (address, password_hash, created_day, last_login_day) VALUES ('"
                + TestRelay.address("alice0001") + "', 'x', 1, 1)");
        try (Connection running = TestPostgres.get().connect(databaseName()); Statement s = running.createStatement()) {
            s.executeQuery("SELECT pg_advisory_lock(" + 0x63686174_6d6f7665L + ")").close();
            assertThat(move()).isEqualTo(1);
        }
        assertThat(err.toString()).isEqualTo("chatmail move-to-postgresql: another move into this PostgreSQL database is"
                + " running; nothing was written\n");
        assertThat(out.toString()).isEmpty();
        assertThat(rows("SELECT count(*) FROM accounts")).isEqualTo(1);
    }

    @Test
    void withoutPostgresqlUrlItSaysWhatToSet() throws Exception {
        Files.writeString(ini, "[params]\nmail_domain = " + TestRelay.DOMAIN + "\ndata_dir = " + data + "\n");
        assertThat(move()).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chatmail move-to-postgresql: set postgresql_url (and"
                + " postgresql_password_file) in " + ini + " to the database to move into, with storage = sqlite until"
                + " the move is done\n");
    }

    private String databaseName() {
        String url = database.postgresqlUrl();
        return url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    }

    private long rows(String query) throws Exception {
        try (Connection c = TestPostgres.get().connect(databaseName()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection c = TestPostgres.get().connect(databaseName()); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }
}
