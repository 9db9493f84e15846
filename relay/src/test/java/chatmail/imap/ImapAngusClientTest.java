package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second, independent client: Angus Mail's IMAP store over 993 (login, select, fetch, flags). */
class ImapAngusClientTest {
    @TempDir
    Path dir;
    ImapFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ImapFixture.start(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void angusMailReadsTheInbox() throws Exception {
        byte[] m = ImapFixture.message(1);
        fx.deliver(m);
        fx.deliver(ImapFixture.small(2));
        Properties p = new Properties();
        p.put("mail.imaps.host", "127.0.0.1");
        p.put("mail.imaps.port", Integer.toString(fx.relay.port("imaps")));
        p.put("mail.imaps.ssl.trust", "*");
        p.put("mail.imaps.ssl.checkserveridentity", "false");
        p.put("mail.imaps.connectiontimeout", "10000");
        p.put("mail.imaps.timeout", "10000");
        Session session = Session.getInstance(p);
        Store store = session.getStore("imaps");
        store.connect(fx.user, ImapFixture.PASSWORD);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isEqualTo(2);
            assertThat(((UIDFolder) inbox).getUIDValidity()).isPositive();
            Message[] messages = inbox.getMessages();
            FetchProfile profile = new FetchProfile();
            profile.add(FetchProfile.Item.ENVELOPE);
            profile.add(FetchProfile.Item.FLAGS);
            profile.add(UIDFolder.FetchProfileItem.UID);
            inbox.fetch(messages, profile);
            assertThat(((UIDFolder) inbox).getUID(messages[1])).isEqualTo(2);
            assertThat(((InternetAddress) messages[0].getFrom()[0]).getAddress()).isEqualTo("sender@example.org");
            assertThat(messages[0].getSize()).isEqualTo(m.length);
            assertThat(messages[0].getContentType()).startsWith("multipart/encrypted");
            MimeMultipart multipart = (MimeMultipart) messages[0].getContent();
            assertThat(multipart.getCount()).isEqualTo(2);
            assertThat(multipart.getBodyPart(0).getContentType()).isEqualTo("application/pgp-encrypted");
            // Reading a part fetches BODY[1], which sets \Seen.
            assertThat(multipart.getBodyPart(0).getInputStream().readAllBytes()).asString().isEqualTo("Version: 1");
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            messages[1].writeTo(raw);
            assertThat(raw.toByteArray()).isEqualTo(ImapFixture.small(2));
            messages[1].setFlag(Flags.Flag.DELETED, true);
            inbox.close(true);
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            assertThat(inbox.getMessage(1).isSet(Flags.Flag.SEEN)).isTrue();
            inbox.close(false);
            assertThat(store.getDefaultFolder().list("*")).extracting(Folder::getFullName).containsExactly("INBOX");
        } finally {
            store.close();
        }
    }
}
