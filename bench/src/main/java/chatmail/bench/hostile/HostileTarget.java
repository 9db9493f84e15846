package chatmail.bench.hostile;

import chatmail.bench.ClientTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The relay as the attackers see it: its address, every port an attacker can reach, the mail
 * domain, and the two accounts the attacks use (a free account of the attacker's own, and the
 * victim that port-25 and {@code /mxdeliv} attacks address; no legitimate user is either).
 */
record HostileTarget(String host, int smtp, int submission, int submissions, int imap, int imaps, int https,
                     String domain, String password, ClientTls tls, long maxMessageSize) {

    String attacker() {
        return "attack001@" + domain;
    }

    String victim() {
        return "victim001@" + domain;
    }

    static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(a, e);
        }
    }

    /** An IMAPS connection logged in as the attacker's account; the LOGIN answer goes to {@code tally} unless OK. */
    AttackSocket imapLogin(InetAddress source, Tally tally) throws IOException {
        AttackSocket s = AttackSocket.tls(tls, source, host, imaps, 60_000);
        try {
            s.line();
            s.write("l LOGIN " + quoted(attacker()) + " " + quoted(password) + "\r\n");
            String answer = s.tagged("l");
            if (answer == null || !answer.startsWith("l OK")) {
                tally.reply(answer);
                throw new IOException("login refused: " + answer);
            }
            s.timeout(0);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Port 25 from {@code source}, greeted, STARTTLS (the relay wants it before MAIL) and EHLO
     * done; null when the relay refused a step (its answer counted).
     */
    AttackSocket mx(InetAddress source, Tally tally, int timeoutMillis) throws IOException {
        AttackSocket s = AttackSocket.plain(source, host, smtp, timeoutMillis);
        try {
            String greeting = s.smtpReply();
            if (greeting == null || !greeting.startsWith("220")) {
                tally.reply(greeting);
                s.close();
                return null;
            }
            for (String command : new String[] {"EHLO attacker.example", "STARTTLS", "EHLO attacker.example"}) {
                s.write(command + "\r\n");
                String answer = s.smtpReply();
                if (answer == null || !(answer.startsWith("250") || answer.startsWith("220"))) {
                    tally.reply(answer);
                    s.close();
                    return null;
                }
                if (command.equals("STARTTLS")) {
                    s = s.startTls(tls, host, smtp);
                }
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String plainAuth(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }
}
