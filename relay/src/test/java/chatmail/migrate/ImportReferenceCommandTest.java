package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.dkim.DkimKeyFiles;
import chatmail.store.Account;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.TestCa;
import chatmail.testing.TestRelay;
import chatmail.tls.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chatmail import-reference} on trees written in the formats of MIG-1 (no Dovecot): what
 * it refuses, what it reports and skips, the dry run, and the keys beside the mail.
 */
class ImportReferenceCommandTest {
    private static final String DOMAIN = TestRelay.DOMAIN;
    private static final Instant DATE = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path mailboxes;
    private Path data;
    private Path ini;

    @BeforeEach
    void paths() throws Exception {
        mailboxes = Files.createDirectories(dir.resolve("mailboxes"));
        data = dir.resolve("data");
        ini = Files.writeString(dir.resolve("chatmail.ini"), "[params]\nmail_domain = " + DOMAIN + "\ndata_dir = " + data + "\n");
    }

    private int chatmail(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private int importReference(String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "import-reference";
        args[1] = "--config";
        args[2] = ini.toString();
        args[3] = "--mailboxes";
        args[4] = mailboxes.toString();
        System.arraycopy(extra, 0, args, 5, extra.length);
        return chatmail(args);
    }

    private Path account(String local) throws Exception {
        Path folder = mailboxes.resolve(local + "@" + DOMAIN);
        ReferenceTrees.writePassword(folder, PasswordFileTest.DOVEADM_HASH, DATE);
        return folder;
    }

    @Test
    void refusesWhileARelayHoldsTheDataDirAndWritesNothing() throws Exception {
        Path folder = account("alice0001");
        ReferenceTrees.putMessage(folder, "1.M1P1.host", "S", "Subject: x\n\nhi\n", true, DATE);
        Files.writeString(folder.resolve("dovecot-uidlist"), "3 V1000 N2\n1 :1.M1P1.host\n");
        Map<String, String> source = ReferenceTrees.checksums(mailboxes);
        try (TestRelay relay = TestRelay.start(data)) {
            assertThat(importReference()).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("chatmail import-reference: " + data + " is in use by a running relay"
                    + " (process " + ProcessHandle.current().pid() + "); stop it first (only one relay, import,"
                    + " restore or expire may use a data_dir at a time)" + System.lineSeparator());
            assertThat(out.toString()).isEmpty();
            assertThat(relay.relay().store().accountCount()).isZero();
        }
        assertThat(ReferenceTrees.checksums(mailboxes)).isEqualTo(source);
    }

    @Test
    void damagedItemsAreReportedAndSkippedWhileTheRestIsImported() throws Exception {
        Path good = account("good00001");
        Files.writeString(good.resolve("dovecot-uidlist"), "3 V1700000000 N5 Gabc\n"
                + "2 G1.M2P1.host :1.M2P1.host,S=20\n3 :1.M3P1.host\n4 :1.M4P1.host\n7 :1.M7P1.gone\n");
        Files.writeString(good.resolve("dovecot-keywords"), "0 $Label1\n");
        ReferenceTrees.putMessage(good, "1.M2P1.host,S=20", "Sa", "Subject: two\n\nplain LF\n", false, DATE);
        ReferenceTrees.putMessage(good, "1.M3P1.host", null, "Subject: three\n\ngzipped\n", true, DATE);
        Path broken = ReferenceTrees.putMessage(good, "1.M4P1.host", "S", "Subject: four\n\n" + "x".repeat(5000), true, DATE);
        byte[] whole = Files.readAllBytes(broken);
        Files.write(broken, java.util.Arrays.copyOf(whole, whole.length / 2));
        ReferenceTrees.putMessage(good, "1.M9P1.host", "F", "Subject: unlisted\n\nno uid yet\n", false, DATE);
        Files.writeString(good.resolve("metadata.json"), "{\"devicetoken\": ");
        Files.createDirectories(good.resolve(".DeltaChat"));
        Files.writeString(good.resolve(".DeltaChat/dovecot-uidlist"), "3 V1700000001 N9\n");
        Files.writeString(good.resolve("maildirsize"), "ignored");
        Files.writeString(good.resolve("enforceE2EEincoming"), "");

        Path wrongUidlist = account("uidlist01");
        Files.writeString(wrongUidlist.resolve("dovecot-uidlist"), "garbage\n");
        ReferenceTrees.putMessage(wrongUidlist, "5.M1P1.host", "S", "Subject: a\n\na\n", true, DATE);
        ReferenceTrees.putMessage(wrongUidlist, "6.M1P1.host", null, "Subject: b\n\nb\n", true, DATE);

        Files.createDirectories(mailboxes.resolve("nopasswd1@" + DOMAIN + "/cur"));
        Path badPassword = Files.createDirectories(mailboxes.resolve("badpassw1@" + DOMAIN));
        Files.writeString(badPassword.resolve("password"), "{PLAIN}secret");
        Files.createDirectories(mailboxes.resolve("someone01@other.example"));
        Files.createDirectories(mailboxes.resolve("pending_notifications"));

        assertThat(importReference()).as(out + "" + err).isEqualTo(1);
        String report = out.toString();
        assertThat(report).contains("accounts:      2 imported")
                .contains("messages:      5 imported")
                .contains("3 message files had no UID in dovecot-uidlist")
                .contains(good.resolve("cur/1.M4P1.host:2,S") + ": unreadable (EOFException")
                .contains(good.resolve("metadata.json") + ": metadata.json is not valid JSON")
                .contains(wrongUidlist + ": dovecot-uidlist: dovecot-uidlist version is not 1 or 3; UIDs assigned anew")
                .contains(mailboxes.resolve("nopasswd1@" + DOMAIN) + ": no password file; account skipped")
                .contains(badPassword.resolve("password") + ": password scheme is not SHA512-CRYPT; account skipped")
                .contains(mailboxes.resolve("someone01@other.example") + ": not an address of " + DOMAIN + "; skipped")
                .contains("damaged, skipped: 6")
                .doesNotContain("pending_notifications");

        try (SqliteMailStore store = SqliteMailStore.open(data, Clock.systemUTC())) {
            assertThat(store.accountCount()).isEqualTo(2);
            Account account = store.findAccount("good00001@" + DOMAIN).orElseThrow();
            Mailbox inbox = store.mailbox(account.id(), "INBOX").orElseThrow();
            assertThat(inbox.uidValidity()).isEqualTo(1700000000L);
            MailboxSnapshot snapshot = store.snapshot(inbox.id());
            assertThat(snapshot.messages()).extracting(MessageInfo::uid)
                    .as("uidlist UIDs; the unlisted file gets UIDNEXT (8: above the line for a vanished file)")
                    .containsExactly(2L, 3L, 8L);
            assertThat(snapshot.uidNext()).isEqualTo(9);
            assertThat(snapshot.messages().get(0).flags()).containsExactlyInAnyOrder("\\Seen", "$Label1");
            assertThat(snapshot.messages().get(1).flags()).isEmpty();
            assertThat(snapshot.messages().get(2).flags()).containsExactly("\\Flagged");
            assertThat(snapshot.messages().get(0).internalDate()).isEqualTo(DATE);
            assertThat(new String(store.content(inbox.id(), 2), StandardCharsets.US_ASCII))
                    .isEqualTo("Subject: two\r\n\r\nplain LF\r\n");
            assertThat(new String(store.content(inbox.id(), 3), StandardCharsets.US_ASCII))
                    .isEqualTo("Subject: three\r\n\r\ngzipped\r\n");
            Mailbox folder = store.mailbox(account.id(), "DeltaChat").orElseThrow();
            assertThat(folder.uidValidity()).isEqualTo(1700000001L);
            assertThat(store.snapshot(folder.id()).uidNext()).as("an empty folder keeps its counter").isEqualTo(9);

            Account renumbered = store.findAccount("uidlist01@" + DOMAIN).orElseThrow();
            Mailbox renumberedInbox = store.mailbox(renumbered.id(), "INBOX").orElseThrow();
            assertThat(store.snapshot(renumberedInbox.id()).messages()).extracting(MessageInfo::uid).containsExactly(1L, 2L);
        }

        assertThat(importReference()).isEqualTo(1);
        assertThat(out.toString()).as("a second run finds everything already here")
                .contains("accounts:      0 imported, 2 already here").contains("messages:      0 imported")
                .contains(", 5 already here");
    }

    @Test
    void aDryRunReadsEverythingAndWritesNothing() throws Exception {
        Path folder = account("alice0001");
        Files.writeString(folder.resolve("dovecot-uidlist"), "3 V1000 N3\n1 :1.M1P1.host\n2 :1.M2P1.host\n");
        ReferenceTrees.putMessage(folder, "1.M1P1.host", "S", "Subject: x\n\nhi\n", true, DATE);
        ReferenceTrees.putMessage(folder, "1.M2P1.host", "S", "Subject: y\n\nhi\n", false, DATE);
        Files.writeString(folder.resolve("metadata.json"), "{\"devicetoken\": [\"t1\"]}");

        assertThat(importReference("--dry-run")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("dry run: nothing is written").contains("accounts:      1 would import")
                .contains("messages:      2 would import (0.0 KiB)").contains("device tokens: 1 would import");
        assertThat(data).doesNotExist();
    }

    @Test
    void certificateWithoutKeyIsAConfigurationError() {
        assertThat(importReference("--certificate", dir.resolve("fullchain").toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chatmail import-reference: --certificate and --key go together"
                + System.lineSeparator());
        assertThat(data).doesNotExist();
    }

    @Test
    void theDkimKeyAndTheCertificateComeAlong() throws Exception {
        account("alice0001");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024); // the size does not matter here; 2048 takes seconds on a busy machine
        KeyPair dkim = rsa.generateKeyPair();
        Path dkimFile = dir.resolve("opendkim.private");
        try (JcaPEMWriter pem = new JcaPEMWriter(Files.newBufferedWriter(dkimFile))) {
            pem.writeObject(dkim); // "BEGIN RSA PRIVATE KEY" (PKCS#1), as opendkim-genkey writes it
        }
        assertThat(Files.readString(dkimFile)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Path fullchain = dir.resolve("fullchain");
        Path privkey = dir.resolve("privkey");
        TestCa.create("acme").issue(DOMAIN).write(fullchain, privkey);

        assertThat(importReference("--dkim-key", dkimFile.toString(), "--certificate", fullchain.toString(),
                "--key", privkey.toString())).as(err.toString()).isZero();
        Path installed = DkimKeyFiles.directory(data).resolve("opendkim.private");
        assertThat(((RSAPrivateCrtKey) PemFiles.readPrivateKey(installed)).getModulus())
                .isEqualTo(((RSAPrivateCrtKey) dkim.getPrivate()).getModulus());
        assertThat(Files.getPosixFilePermissions(installed)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Path certDir = KeyImport.certificateDir(data);
        assertThat(Files.readString(certDir.resolve("fullchain.pem"))).isEqualTo(Files.readString(fullchain));
        assertThat(Files.getPosixFilePermissions(certDir.resolve("privkey.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(out.toString()).contains("DKIM key for selector opendkim installed")
                .contains("tls_external_cert_and_key = " + certDir.resolve("fullchain.pem").toAbsolutePath());

        assertThat(importReference("--dkim-key", dkimFile.toString())).isZero();
        assertThat(out.toString()).contains("DKIM key for selector opendkim was here already");

        Path other = dir.resolve("other.private");
        Files.writeString(other, PemFiles.toPem(rsa.generateKeyPair().getPrivate()));
        assertThat(importReference("--dkim-key", other.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("chatmail import-reference: " + installed
                + " holds another DKIM key; move it away first if the imported one is the one DNS publishes"
                + System.lineSeparator());
        assertThat(((RSAPrivateCrtKey) PemFiles.readPrivateKey(installed)).getModulus())
                .as("a published key is never replaced").isEqualTo(((RSAPrivateCrtKey) dkim.getPrivate()).getModulus());
    }
}
