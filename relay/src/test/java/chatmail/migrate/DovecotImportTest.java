package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.migrate.ImapMailboxes.MailboxView;
import chatmail.store.Account;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIG-1 against the real program: Debian's Dovecot, configured as the reference relay configures
 * it, receives mail over LMTP and IMAP changes (seen, flagged, a keyword, expunged, a folder, one
 * INBOX emptied entirely); chatmaild's password and metadata.json files are written beside it.
 * After the import our relay must show every account and mailbox exactly as Dovecot did, and a
 * second import after more mail must add only that mail.
 */
class DovecotImportTest {
    private static final String HOST = "127.0.0.1";
    private static final String DOMAIN = TestRelay.DOMAIN;
    private static final int LARGE = 200 * 1024;

    @TempDir
    Path dir;

    private record User(String address, String password) {}

    private final User alice = new User("alice0001@" + DOMAIN, "alice password 1");
    private final User bob = new User("bob000002@" + DOMAIN, "bob password 22");
    /** Too short for today's username_min_length: imported anyway, logs in as before. */
    private final User shorty = new User("ab@" + DOMAIN, "shorty password");
    /** Has an account (password file) but never logged in over IMAP: no Maildir. */
    private final User carol = new User("carol0003@" + DOMAIN, "carol password");

    @Test
    void everyAccountAndMailboxArrivesAsDovecotShowedItAndASecondImportAddsOnlyNewMail() throws Exception {
        int imaps = ReferenceDovecot.freePort(HOST);
        try (ReferenceDovecot dovecot = ReferenceDovecot.create(DOMAIN, HOST, imaps, 0, 0)) {
            Map<User, String> hashes = new LinkedHashMap<>();
            for (User u : List.of(alice, bob, shorty, carol)) {
                hashes.put(u, dovecot.addUser(u.address(), u.password()));
            }
            dovecot.start();
            fillLikeDeltaChatDid(dovecot);

            Instant now = Instant.now();
            Path mailboxes = dovecot.mailboxes();
            Instant lastLogin = now.minus(Duration.ofDays(3));
            for (User u : hashes.keySet()) {
                ReferenceTrees.writePassword(mailboxes.resolve(u.address()), hashes.get(u), lastLogin);
            }
            Files.writeString(mailboxes.resolve(alice.address()).resolve("metadata.json"),
                    "{\"devicetoken\": {\"tok-alice-new\": " + (now.getEpochSecond() - 86_400)
                            + ", \"tok-alice-expired\": " + (now.getEpochSecond() - 100 * 86_400L) + "}}");
            Files.writeString(mailboxes.resolve(bob.address()).resolve("metadata.json"), "{\"devicetoken\": [\"tok-bob\"]}");

            Map<User, Map<String, MailboxView>> dovecotShowed = readAll(dovecot.address(), dovecot.imapsPort());
            assertThat(dovecotShowed.get(bob).get("INBOX").messages()).as("bob's INBOX was emptied").isEmpty();
            assertThat(dovecotShowed.get(bob).get("INBOX").uidNext()).isEqualTo(4);
            assertThat(dovecotShowed.get(alice)).containsKeys("INBOX", "DeltaChat");
            List<ImapMailboxes.MessageView> aliceInbox = dovecotShowed.get(alice).get("INBOX").messages();
            assertThat(aliceInbox).extracting(ImapMailboxes.MessageView::uid).containsExactly(1L, 2L, 3L, 5L, 6L);
            assertThat(aliceInbox.get(0).flags()).containsExactly("\\Seen");
            assertThat(aliceInbox.get(1).flags()).containsExactlyInAnyOrder("\\Flagged", "$Label1");
            assertThat(aliceInbox.get(4).flags()).containsExactly("\\Deleted");
            assertThat(aliceInbox.get(2).body()).hasSizeGreaterThan(LARGE).contains("\r\n.a line with a leading dot\r\n");
            assertThat(aliceInbox.get(2).size()).isEqualTo(aliceInbox.get(2).body().length());
            dovecot.stop();
            Map<String, String> sourceBefore = ReferenceTrees.checksums(mailboxes);

            Path data = dir.resolve("data");
            String output = importReference(data, mailboxes, 0);
            assertThat(output).contains("accounts:      4 imported, 0 already here")
                    .contains("messages:      8 imported").contains(", 0 already here")
                    .contains("device tokens: 2 imported, 1 expired");
            assertThat(ReferenceTrees.checksums(mailboxes)).as("the source is only read").isEqualTo(sourceBefore);

            try (TestRelay relay = TestRelay.start(data, new MutableClock(Instant.now()), b -> { })) {
                Account imported = relay.relay().store().findAccount(alice.address()).orElseThrow();
                assertThat(imported.lastLogin()).as("the password file's mtime, by day")
                        .isEqualTo(LocalDate.ofInstant(lastLogin, ZoneOffset.UTC));
                assertThat(imported.passwordHash()).isEqualTo(hashes.get(alice));
                int ours = relay.port("imaps");
                assertThat(readAll(HOST, ours)).isEqualTo(dovecotShowed);
                for (User u : hashes.keySet()) {
                    assertThat(ImapMailboxes.logsIn(HOST, ours, u.address(), u.password())).as(u.address()).isTrue();
                    assertThat(ImapMailboxes.logsIn(HOST, ours, u.address(), u.password() + "x")).isFalse();
                }
                assertThat(ImapMailboxes.read(HOST, ours, carol.address(), carol.password()))
                        .containsOnlyKeys("INBOX");
                assertThat(ImapMailboxes.deviceTokens(HOST, ours, alice.address(), alice.password()))
                        .containsExactly("tok-alice-new");
                assertThat(ImapMailboxes.deviceTokens(HOST, ours, bob.address(), bob.password()))
                        .containsExactly("tok-bob");
            }

            // Before the switch-over the old relay went on receiving mail.
            dovecot.start();
            dovecot.deliver(alice.address(), ReferenceTrees.message(alice.address(), 20, 500));
            dovecot.deliver(alice.address(), ReferenceTrees.message(alice.address(), 21, LARGE));
            dovecot.deliver(bob.address(), ReferenceTrees.message(bob.address(), 22, 500));
            Map<User, Map<String, MailboxView>> dovecotLater = readAll(dovecot.address(), dovecot.imapsPort());
            assertThat(dovecotLater.get(bob).get("INBOX").messages()).extracting(ImapMailboxes.MessageView::uid)
                    .containsExactly(4L);
            dovecot.stop();

            String again = importReference(data, mailboxes, 0);
            assertThat(again).contains("accounts:      0 imported, 4 already here")
                    .contains("messages:      3 imported").contains(", 8 already here");
            try (TestRelay relay = TestRelay.start(data, new MutableClock(Instant.now()), b -> { })) {
                assertThat(readAll(HOST, relay.port("imaps"))).isEqualTo(dovecotLater);
            }
        }
    }

    /**
     * What a relay's mailboxes look like after Delta Chat used them: LMTP deliveries, flags set and
     * messages expunged over IMAP, a DeltaChat folder, one INBOX emptied by its client.
     */
    private void fillLikeDeltaChatDid(ReferenceDovecot dovecot) throws Exception {
        for (int i = 1; i <= 6; i++) {
            dovecot.deliver(alice.address(), ReferenceTrees.message(alice.address(), i, i == 3 ? LARGE : 300 + i));
        }
        for (int i = 1; i <= 3; i++) {
            dovecot.deliver(bob.address(), ReferenceTrees.message(bob.address(), 10 + i, 400));
        }
        dovecot.deliver(shorty.address(), ReferenceTrees.message(shorty.address(), 30, 400));
        try (Store store = ImapMailboxes.connect(HOST, dovecot.imapsPort(), alice.address(), alice.password())) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.setFlags(new Message[] {inbox.getMessageByUID(1), inbox.getMessageByUID(3)}, new Flags(Flags.Flag.SEEN), true);
            Flags flaggedWithKeyword = new Flags(Flags.Flag.FLAGGED);
            flaggedWithKeyword.add("$Label1");
            inbox.setFlags(new Message[] {inbox.getMessageByUID(2)}, flaggedWithKeyword, true);
            inbox.setFlags(new Message[] {inbox.getMessageByUID(4)}, new Flags(Flags.Flag.DELETED), true);
            inbox.expunge();
            // \Deleted but not expunged: the T letter in the file name.
            inbox.setFlags(new Message[] {inbox.getMessageByUID(6)}, new Flags(Flags.Flag.DELETED), true);
            inbox.close(false);
            Folder folder = store.getFolder("DeltaChat");
            folder.create(Folder.HOLDS_MESSAGES);
            MimeMessage first = new MimeMessage(ImapMailboxes.session(),
                    new ByteArrayInputStream(ReferenceTrees.message(alice.address(), 40, 600)));
            first.setFlag(Flags.Flag.SEEN, true);
            MimeMessage second = new MimeMessage(ImapMailboxes.session(),
                    new ByteArrayInputStream(ReferenceTrees.message(alice.address(), 41, 700)));
            folder.appendMessages(new Message[] {first, second});
        }
        try (Store store = ImapMailboxes.connect(HOST, dovecot.imapsPort(), bob.address(), bob.password())) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.setFlags(1, inbox.getMessageCount(), new Flags(Flags.Flag.DELETED), true);
            inbox.close(true);
        }
    }

    private Map<User, Map<String, MailboxView>> readAll(String host, int port) throws Exception {
        Map<User, Map<String, MailboxView>> all = new LinkedHashMap<>();
        for (User u : List.of(alice, bob, shorty)) {
            all.put(u, ImapMailboxes.read(host, port, u.address(), u.password()));
        }
        return all;
    }

    private String importReference(Path data, Path mailboxes, int expectedExit) throws Exception {
        Path ini = dir.resolve("chatmail.ini");
        Files.writeString(ini, "[params]\nmail_domain = " + DOMAIN + "\ndata_dir = " + data + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), "import-reference", "--config", ini.toString(),
                "--mailboxes", mailboxes.toString());
        assertThat(exit).as(out + "\n" + err).isEqualTo(expectedExit);
        return out.toString();
    }
}
