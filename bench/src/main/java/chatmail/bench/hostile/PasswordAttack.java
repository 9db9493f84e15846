package chatmail.bench.hostile;

import java.net.InetAddress;
import java.util.List;

/**
 * Logins with a wrong password, again and again, on IMAP and SMTP submission: either 8,000
 * bytes long (issue 11: SHA512-CRYPT's cost grows with its square) or of ordinary length (a
 * storm that would queue hashes before the legitimate users' logins).
 */
final class PasswordAttack extends Attack {
    private final HostileTarget target;
    private final InetAddress imapSource;
    private final InetAddress smtpSource;
    private final int passwordLength;
    private final int smtpPasswordLength;
    private final int workers;
    private final String password;
    private final String smtpPassword;

    /**
     * @param smtpPasswordLength the SMTP side's length: AUTH PLAIN's base64 line must fit the
     *     relay's 4096-byte command line, or the answer is {@code 500 5.5.2 Line too long}
     */
    PasswordAttack(HostileTarget target, InetAddress imapSource, InetAddress smtpSource, int passwordLength,
                   int smtpPasswordLength, int workers) {
        this.target = target;
        this.imapSource = imapSource;
        this.smtpSource = smtpSource;
        this.passwordLength = passwordLength;
        this.smtpPasswordLength = smtpPasswordLength;
        this.workers = workers;
        this.password = wrong(passwordLength);
        this.smtpPassword = wrong(smtpPasswordLength);
    }

    private static String wrong(int length) {
        return "p".repeat(Math.max(0, length - 4)) + "x9!z".substring(0, Math.min(4, length));
    }

    @Override
    String name() {
        return passwordLength > 256 ? "Long passwords (" + passwordLength + " bytes)" : "Wrong-password storm";
    }

    @Override
    void start() {
        for (int i = 0; i < workers; i++) {
            loop("password-imap-" + i, 200, this::imap);
            loop("password-smtp-" + i, 200, this::smtp);
        }
    }

    private void imap() throws Exception {
        AttackSocket s = held(AttackSocket.tls(target.tls(), imapSource, target.host(), target.imaps(), 120_000));
        try {
            s.line();
            while (running) {
                long t0 = System.nanoTime();
                s.write("x LOGIN " + HostileTarget.quoted(target.attacker()) + " " + HostileTarget.quoted(password) + "\r\n");
                String answer = s.tagged("x");
                tally.seconds("IMAP answer time", (System.nanoTime() - t0) / 1e9);
                tally.count("IMAP attempts");
                tally.reply("IMAP: " + (answer == null ? "(closed by the relay, nothing said)" : answer));
                if (answer == null || answer.startsWith("* BYE")) {
                    return;
                }
            }
        } finally {
            release(s);
        }
    }

    private void smtp() throws Exception {
        AttackSocket s = held(AttackSocket.tls(target.tls(), smtpSource, target.host(), target.submissions(), 120_000));
        try {
            s.smtpReply();
            s.write("EHLO attacker.example\r\n");
            s.smtpReply();
            while (running) {
                long t0 = System.nanoTime();
                s.write("AUTH PLAIN " + HostileTarget.plainAuth(target.attacker(), smtpPassword) + "\r\n");
                String answer = s.smtpReply();
                tally.seconds("SMTP answer time", (System.nanoTime() - t0) / 1e9);
                tally.count("SMTP attempts");
                tally.reply("SMTP: " + (answer == null ? "(closed by the relay, nothing said)" : answer));
                if (answer == null || answer.startsWith("421")) {
                    return;
                }
            }
        } finally {
            release(s);
        }
    }

    @Override
    Row row() {
        List<String> results = new java.util.ArrayList<>(counterLines());
        for (String d : List.of("IMAP answer time", "SMTP answer time")) {
            String line = tally.durations(d);
            if (!line.isEmpty()) {
                results.add(line);
            }
        }
        String limit = passwordLength > 256
                ? "SEC-2: passwords over 256 bytes refused without hashing; login_failures_before_delay = 5, "
                        + "login_failure_delay = 1s doubling to max_login_failure_delay = 15s"
                : "SEC-2: SHA512-CRYPT on a pool of max(1, cores - 1) threads, one slot per client; "
                        + "login_failures_before_delay = 5, login_failure_delay = 1s doubling to max_login_failure_delay = 15s";
        return new Row(name() + ": " + workers + " IMAP LOGIN loops (" + passwordLength + "-byte password) and " + workers
                + " SMTP AUTH PLAIN loops on 465 (" + smtpPasswordLength + " bytes) with a wrong password for an existing account",
                limit, tally.replies(), results);
    }
}
