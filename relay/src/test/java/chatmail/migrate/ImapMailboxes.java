package chatmail.migrate;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.UID;

/**
 * What an IMAP server shows of an account, read with a real client (Angus Mail over IMAPS): every
 * mailbox's UIDVALIDITY and UIDNEXT and every message's UID, flags, RFC822.SIZE, INTERNALDATE
 * and {@code BODY.PEEK[]} bytes. Read-only (EXAMINE, PEEK): reading changes nothing.
 */
final class ImapMailboxes {
    private ImapMailboxes() {}

    /** One message; the body as ISO-8859-1 text so that records compare bytes exactly. */
    record MessageView(long uid, Set<String> flags, long size, long internalDateSeconds, String body) {
        @Override
        public String toString() {
            return "uid " + uid + " " + flags + " " + size + " bytes at " + internalDateSeconds;
        }
    }

    record MailboxView(String name, long uidValidity, long uidNext, List<MessageView> messages) {}

    static Session session() {
        Properties p = new Properties();
        p.put("mail.imaps.ssl.trust", "*");
        p.put("mail.imaps.ssl.checkserveridentity", "false");
        p.put("mail.imaps.connectiontimeout", "20000");
        p.put("mail.imaps.timeout", "60000");
        return Session.getInstance(p);
    }

    static Store connect(String host, int port, String user, String password) throws MessagingException {
        Store store = session().getStore("imaps");
        store.connect(host, port, user, password);
        return store;
    }

    /** True when the server accepts the login. */
    static boolean logsIn(String host, int port, String user, String password) throws MessagingException {
        try (Store store = connect(host, port, user, password)) {
            return store.isConnected();
        } catch (AuthenticationFailedException refused) {
            return false;
        }
    }

    /** Every mailbox of the account, by name. */
    static Map<String, MailboxView> read(String host, int port, String user, String password) throws MessagingException {
        Map<String, MailboxView> views = new LinkedHashMap<>();
        try (Store store = connect(host, port, user, password)) {
            List<String> names = new ArrayList<>();
            for (Folder folder : store.getDefaultFolder().list("*")) {
                names.add(folder.getFullName());
            }
            names.sort(null);
            for (String name : names) {
                IMAPFolder folder = (IMAPFolder) store.getFolder(name);
                folder.open(Folder.READ_ONLY);
                try {
                    views.put(name, new MailboxView(name, folder.getUIDValidity(), folder.getUIDNext(),
                            folder.getMessageCount() == 0 ? List.of() : messages(folder)));
                } finally {
                    folder.close(false);
                }
            }
        }
        return views;
    }

    private static List<MessageView> messages(IMAPFolder folder) throws MessagingException {
        Object result = folder.doCommand(protocol ->
                protocol.command("UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[])", null));
        List<MessageView> messages = new ArrayList<>();
        for (Response r : (Response[]) result) {
            if (r instanceof FetchResponse fetch) {
                BODY body = fetch.getItem(BODY.class);
                messages.add(new MessageView(fetch.getItem(UID.class).uid, flags(fetch.getItem(FLAGS.class)),
                        fetch.getItem(RFC822SIZE.class).size, fetch.getItem(INTERNALDATE.class).getDate().getTime() / 1000,
                        new String(body.getByteArray().getNewBytes(), StandardCharsets.ISO_8859_1)));
            }
        }
        messages.sort(java.util.Comparator.comparingLong(MessageView::uid));
        return messages;
    }

    /** Stored flags in their usual spelling; \Recent is the session's, not the message's. */
    private static Set<String> flags(Flags flags) {
        Set<String> out = new TreeSet<>();
        for (Flags.Flag f : flags.getSystemFlags()) {
            if (f == Flags.Flag.SEEN) {
                out.add("\\Seen");
            } else if (f == Flags.Flag.ANSWERED) {
                out.add("\\Answered");
            } else if (f == Flags.Flag.FLAGGED) {
                out.add("\\Flagged");
            } else if (f == Flags.Flag.DELETED) {
                out.add("\\Deleted");
            } else if (f == Flags.Flag.DRAFT) {
                out.add("\\Draft");
            }
        }
        out.addAll(List.of(flags.getUserFlags()));
        return out;
    }

    private static final Pattern METADATA_VALUE = Pattern.compile("/private/devicetoken\\s+\"([^\"]*)\"",
            Pattern.CASE_INSENSITIVE);

    /** The device tokens GETMETADATA returns for INBOX (space-separated on the wire). */
    static List<String> deviceTokens(String host, int port, String user, String password) throws MessagingException {
        try (Store store = connect(host, port, user, password)) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                Object result = inbox.doCommand(protocol ->
                        protocol.command("GETMETADATA \"INBOX\" (/private/devicetoken)", null));
                for (Response r : (Response[]) result) {
                    Matcher m = METADATA_VALUE.matcher(r.toString());
                    if (r.isUnTagged() && m.find()) {
                        return List.of(m.group(1).split(" "));
                    }
                }
                return List.of();
            } finally {
                inbox.close(false);
            }
        }
    }
}
