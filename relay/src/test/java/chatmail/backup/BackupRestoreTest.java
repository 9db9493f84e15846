package chatmail.backup;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.StoredMessage;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIG-2: a backup of a running relay under delivery load, restored into an empty data_dir, is a
 * consistent moment of the relay (accounts, messages, UIDVALIDITY, UIDs, UIDNEXT, HIGHESTMODSEQ),
 * holds every message acknowledged before it began, and keeps the bodies of messages expunged
 * while it copied; a quiet relay's backup restores to exactly its state. Restore refuses what it
 * must not write.
 */
class BackupRestoreTest {
    private static final int LARGE = 70 * 1024;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int chatmail(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path ini(Path dataDir) throws IOException {
        return Files.writeString(dir.resolve("chatmail-" + dataDir.getFileName() + ".ini"),
                "[params]\nmail_domain = " + TestRelay.DOMAIN + "\ndata_dir = " + dataDir + "\n");
    }

    /** A message whose bytes follow from its seed; every fifth is large enough for a body file. */
    static byte[] message(long seed) {
        int size = seed % 5 == 0 ? LARGE + (int) seed : 600 + (int) (seed % 300);
        StringBuilder b = new StringBuilder("From: a@example.org\r\nSubject: " + seed + "\r\n\r\n");
        Random random = new Random(seed);
        while (b.length() < size) {
            b.append((char) ('a' + random.nextInt(26)));
            if (b.length() % 78 == 0) {
                b.append("\r\n");
            }
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private record Delivered(long mailboxId, long uid, long seed) {}

    @Test
    void aBackupUnderLoadIsAConsistentMomentWithEverythingAcknowledgedBeforeIt() throws Exception {
        Path live = dir.resolve("live");
        Path archive = dir.resolve("under-load.zip");
        Map<Long, Delivered> delivered = new ConcurrentHashMap<>();
        List<Delivered> expungedBefore = new ArrayList<>();
        List<Delivered> expungedDuring = new ArrayList<>();
        try (TestRelay relay = TestRelay.start(live, new MutableClock(Instant.now()), b -> { })) {
            MailStore store = relay.relay().store();
            List<Account> accounts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                accounts.add(relay.relay().accounts().login(TestRelay.address("backup00" + i), "password-" + i).orElseThrow());
            }
            AtomicLong seeds = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch warm = new CountDownLatch(60);
            ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<?>> senders = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                senders.add(load.submit(() -> {
                    while (!stop.get()) {
                        long seed = seeds.incrementAndGet();
                        Account to = accounts.get((int) (seed % accounts.size()));
                        StoredMessage stored = relay.relay().localDelivery().deliver(message(seed), List.of(to)).getFirst();
                        delivered.put(key(stored.mailboxId(), stored.uid()), new Delivered(stored.mailboxId(), stored.uid(), seed));
                        warm.countDown();
                    }
                    return null;
                }));
            }
            warm.await();
            // Changes before the backup begins: a flag, and an expunge of a large message.
            List<Delivered> large = delivered.values().stream().filter(d -> d.seed() % 5 == 0)
                    .sorted(java.util.Comparator.comparingLong(Delivered::seed)).toList();
            Delivered flagged = delivered.values().iterator().next();
            store.updateFlags(flagged.mailboxId(), List.of(flagged.uid()), MailStore.FlagUpdate.ADD, Set.of("\\Seen"));
            store.expunge(large.get(0).mailboxId(), List.of(large.get(0).uid()));
            expungedBefore.add(large.get(0));
            Map<Long, Delivered> acknowledgedBefore = Map.copyOf(delivered);

            BackupWriter.Result result = new BackupWriter(live, TestRelay.DOMAIN, "test", Clock.systemUTC(),
                    new BackupWriter.Listener() {
                        @Override
                        public void snapshotTaken() {
                            // The relay expunges large messages while the backup copies their files.
                            for (Delivered d : large.subList(1, 4)) {
                                store.expunge(d.mailboxId(), List.of(d.uid()));
                                expungedDuring.add(d);
                            }
                        }
                    }).write(archive);
            assertThat(result.deferredFilesRemoved()).as("files released during the hold, unlinked when it ended")
                    .isGreaterThanOrEqualTo(3);
            stop.set(true);
            for (Future<?> f : senders) {
                f.get();
            }
            load.close();
            assertThat(delivered.size()).as("deliveries went on during the backup").isGreaterThan(acknowledgedBefore.size());

            Path restored = dir.resolve("restored");
            assertThat(chatmail("restore", archive.toString(), "--config", ini(restored).toString())).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("chatmail restore: restored 4 accounts");

            try (SqliteMailStore back = SqliteMailStore.open(restored, Clock.systemUTC())) {
                assertThat(back.accountCount()).isEqualTo(4);
                for (Account account : accounts) {
                    Account restoredAccount = back.findAccount(account.address()).orElseThrow();
                    assertThat(restoredAccount.passwordHash()).isEqualTo(account.passwordHash());
                    Mailbox liveInbox = store.mailbox(account.id(), "INBOX").orElseThrow();
                    Mailbox backInbox = back.mailbox(restoredAccount.id(), "INBOX").orElseThrow();
                    assertThat(backInbox.uidValidity()).isEqualTo(liveInbox.uidValidity());
                    checkConsistentMoment(store.snapshot(liveInbox.id()), back, backInbox, delivered, acknowledgedBefore,
                            expungedBefore, expungedDuring);
                }
            }
            assertThat(bodyFiles(live)).as("no body file left behind on the live relay")
                    .isEqualTo(chatmail.store.sqlite.SqliteBackupSource.counts(live).get("body_files"));
        }
    }

    private static long key(long mailboxId, long uid) {
        return mailboxId << 32 | uid;
    }

    /**
     * The restored INBOX is the live one as it was at one moment: everything below its UIDNEXT that
     * still lives is there with the same flags, MODSEQ and bytes, nothing at or above it is, every
     * message acknowledged before the backup began (and not expunged before) is there, and
     * HIGHESTMODSEQ lies between its messages' and the first change after the moment.
     */
    private static void checkConsistentMoment(MailboxSnapshot live, SqliteMailStore back, Mailbox backInbox,
            Map<Long, Delivered> delivered, Map<Long, Delivered> acknowledgedBefore, List<Delivered> expungedBefore,
            List<Delivered> expungedDuring) throws IOException {
        MailboxSnapshot restored = back.snapshot(backInbox.id());
        long uidNext = restored.uidNext();
        long liveMailbox = live.mailbox().id();
        Map<Long, MessageInfo> restoredByUid = new LinkedHashMap<>();
        for (MessageInfo m : restored.messages()) {
            restoredByUid.put(m.uid(), m);
            assertThat(m.uid()).isLessThan(uidNext);
            Delivered d = delivered.get(key(liveMailbox, m.uid()));
            assertThat(d).as("uid " + m.uid() + " was delivered").isNotNull();
            assertThat(back.content(backInbox.id(), m.uid())).as("bytes of uid " + m.uid()).isEqualTo(message(d.seed()));
            assertThat(expungedBefore).doesNotContain(d);
        }
        long highest = 0;
        for (MessageInfo m : live.messages()) {
            if (m.uid() < uidNext) {
                assertThat(restoredByUid.get(m.uid())).as("live uid " + m.uid() + " below UIDNEXT " + uidNext)
                        .isEqualTo(m);
            } else {
                assertThat(m.modseq()).as("a change after the moment").isGreaterThan(restored.highestModseq());
            }
        }
        for (MessageInfo m : restored.messages()) {
            highest = Math.max(highest, m.modseq());
        }
        assertThat(restored.highestModseq()).isGreaterThanOrEqualTo(highest);
        for (Delivered d : acknowledgedBefore.values()) {
            if (d.mailboxId() == liveMailbox && !expungedBefore.contains(d)) {
                assertThat(restoredByUid).as("acknowledged before the backup: uid " + d.uid()).containsKey(d.uid());
            }
        }
        for (Delivered d : expungedDuring) {
            if (d.mailboxId() == liveMailbox) {
                assertThat(restoredByUid).as("expunged while the backup copied: uid " + d.uid()).containsKey(d.uid());
            }
        }
    }

    private static long bodyFiles(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aQuietRelaysBackupRestoresToExactlyItsStateAndRestoreRefusesWhatItMustNotWrite() throws Exception {
        Path live = dir.resolve("live");
        Path archive = dir.resolve("quiet.zip");
        Map<String, Object> liveState;
        try (TestRelay relay = TestRelay.start(live, new MutableClock(Instant.now()), b -> { })) {
            MailStore store = relay.relay().store();
            Account a = relay.relay().accounts().login(TestRelay.address("quiet0001"), "password-1").orElseThrow();
            Account b = relay.relay().accounts().login(TestRelay.address("quiet0002"), "password-2").orElseThrow();
            for (long seed = 1; seed <= 12; seed++) {
                relay.relay().localDelivery().deliver(message(seed), List.of(seed % 2 == 0 ? a : b));
            }
            relay.relay().localDelivery().deliver(message(100), List.of(a), "DeltaChat", Set.of("\\Seen"));
            Mailbox inbox = store.mailbox(a.id(), "INBOX").orElseThrow();
            store.updateFlags(inbox.id(), List.of(2L), MailStore.FlagUpdate.ADD, Set.of("\\Flagged", "$Label1"));
            store.expunge(inbox.id(), List.of(1L));
            store.addMetadataValue(a.id(), "/private/devicetoken", "token-a", Instant.now().plusSeconds(86_400), 20);
            Files.writeString(live.resolve("nocreate"), "");
            java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
            rsa.initialize(1024); // any RSA key will do; 2048 bits take seconds on a busy machine
            chatmail.dkim.DkimKeyFiles.install(live, "opendkim", rsa.generateKeyPair().getPrivate());
            liveState = state(store);

            assertThat(chatmail("backup", archive.toString(), "--config", ini(live).toString())).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("chatmail backup: wrote " + archive)
                    .contains("2 accounts, 3 mailboxes, 12 messages, 3 message files");
            assertThat(Files.getPosixFilePermissions(archive)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(chatmail("backup", archive.toString(), "--config", ini(live).toString())).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("chatmail backup: " + archive + ": exists already; name a new file"
                    + System.lineSeparator());

            assertThat(chatmail("restore", archive.toString(), "--config", ini(live).toString())).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("chatmail restore: " + live + " is not empty: restore only into an empty"
                    + " data_dir (move the old one away first)" + System.lineSeparator());
        }

        Path restored = dir.resolve("restored");
        assertThat(chatmail("restore", archive.toString(), "--config", ini(restored).toString())).as(err.toString()).isZero();
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + restored.resolve("chatmail.sqlite"));
                java.sql.ResultSet holds = db.createStatement().executeQuery("SELECT count(*) FROM backup_holds")) {
            holds.next();
            assertThat(holds.getLong(1)).as("the backup's own hold is not restored").isZero();
        }
        try (SqliteMailStore back = SqliteMailStore.open(restored, Clock.systemUTC())) {
            assertThat(state(back)).isEqualTo(liveState);
        }
        assertThat(restored.resolve("nocreate")).exists();
        assertThat(contents(restored.resolve("tls"))).isNotEmpty().containsExactlyInAnyOrderElementsOf(contents(live.resolve("tls")));
        assertThat(Files.readString(restored.resolve("dkim/opendkim.private"))).isEqualTo(Files.readString(live.resolve("dkim/opendkim.private")));
        assertThat(Files.getPosixFilePermissions(restored)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(restored.resolve("dkim/opendkim.private")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (TestRelay relay = TestRelay.start(restored, new MutableClock(Instant.now()), x -> { })) {
            assertThat(relay.relay().accounts().login(TestRelay.address("quiet0001"), "password-1")).isPresent();
        }

        // A damaged archive: one byte of a message file changed. Nothing stays in data_dir.
        Path damaged = dir.resolve("damaged.zip");
        rewrite(archive, damaged, (name, bytes) -> {
            if (name.startsWith("blobs/")) {
                bytes[bytes.length / 2] ^= 1;
            }
            return bytes;
        }, null);
        Path second = dir.resolve("second");
        assertThat(chatmail("restore", damaged.toString(), "--config", ini(second).toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("chatmail restore: blobs/").contains(" does not match the manifest (damaged archive)");
        assertThat(contents(second)).containsOnly("chatmail.lock");

        // An archive with an entry its manifest does not name (as a path outside data_dir would be).
        Path smuggled = dir.resolve("smuggled.zip");
        rewrite(archive, smuggled, (name, bytes) -> bytes, "../outside");
        assertThat(chatmail("restore", smuggled.toString(), "--config", ini(second).toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("chatmail restore: the archive holds ../outside, which its manifest does not list"
                + System.lineSeparator());
        assertThat(contents(second)).containsOnly("chatmail.lock");
        assertThat(dir.resolve("outside")).doesNotExist();
    }

    /** Everything a client or the relay could tell apart, per account. */
    private static Map<String, Object> state(MailStore store) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String address : List.of(TestRelay.address("quiet0001"), TestRelay.address("quiet0002"))) {
            Account account = store.findAccount(address).orElseThrow();
            state.put(address, account.passwordHash() + " " + account.lastLogin());
            state.put(address + " tokens", store.metadataValues(account.id(), "/private/devicetoken", Instant.now()));
            for (Mailbox mailbox : store.mailboxes(account.id())) {
                MailboxSnapshot s = store.snapshot(mailbox.id());
                state.put(address + " " + mailbox.name(), List.of(mailbox.uidValidity(), s.uidNext(), s.highestModseq(),
                        s.messages()));
                for (MessageInfo m : s.messages()) {
                    state.put(address + " " + mailbox.name() + " " + m.uid(),
                            new String(store.content(mailbox.id(), m.uid()), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return state;
    }

    private static List<String> contents(Path dataDir) throws IOException {
        try (Stream<Path> entries = Files.list(dataDir)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    private interface Change {
        byte[] apply(String name, byte[] bytes);
    }

    private static void rewrite(Path from, Path to, Change change, String extraEntry) throws IOException {
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(from.toFile());
                java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
            boolean changedOne = false;
            for (var e : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (!changedOne && !e.getName().equals(BackupManifest.ENTRY)) {
                    byte[] changed = change.apply(e.getName(), bytes.clone());
                    changedOne = !java.util.Arrays.equals(changed, bytes);
                    bytes = changed;
                }
                zip.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zip.write(bytes);
                zip.closeEntry();
            }
            if (extraEntry != null) {
                zip.putNextEntry(new java.util.zip.ZipEntry(extraEntry));
                zip.write("x".getBytes(StandardCharsets.US_ASCII));
                zip.closeEntry();
            }
        }
    }
}
