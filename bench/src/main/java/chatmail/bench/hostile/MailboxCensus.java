package chatmail.bench.hostile;

import chatmail.bench.ClientTls;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Message-IDs in one account's INBOX, read over IMAPS after the restart. */
final class MailboxCensus {
    private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");
    private static final Pattern MESSAGE_ID = Pattern.compile("^message-id:\\s*<([^>]+)>");

    private MailboxCensus() {}

    static Set<String> messageIds(ClientTls tls, InetAddress source, String host, int port, String address, String password)
            throws IOException {
        try (AttackSocket s = AttackSocket.tls(tls, source, host, port, 120_000)) {
            s.line();
            s.write("l LOGIN " + HostileTarget.quoted(address) + " " + HostileTarget.quoted(password) + "\r\n");
            expectOk(s.tagged("l"));
            s.write("s SELECT INBOX\r\n");
            long exists = 0;
            String line;
            while ((line = s.line()) != null && !line.startsWith("s ")) {
                Matcher m = EXISTS.matcher(line);
                if (m.find()) {
                    exists = Long.parseLong(m.group(1));
                }
            }
            expectOk(line);
            Set<String> ids = new HashSet<>();
            if (exists > 0) {
                s.write("f FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n");
                while ((line = s.line()) != null && !line.startsWith("f ")) {
                    Matcher m = MESSAGE_ID.matcher(line.toLowerCase(Locale.ROOT));
                    if (m.find()) {
                        ids.add(m.group(1));
                    }
                }
                expectOk(line);
            }
            s.write("z LOGOUT\r\n");
            return ids;
        }
    }

    private static void expectOk(String tagged) throws IOException {
        if (tagged == null || !tagged.split(" ", 3)[1].equals("OK")) {
            throw new IOException("IMAP: " + tagged);
        }
    }
}
