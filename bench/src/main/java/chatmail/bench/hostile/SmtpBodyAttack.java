package chatmail.bench.hostile;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Port 25 bodies (issue 11: DATA was held in the heap): a message over {@code max_message_size}
 * sent whole, again and again; {@code SIZE=} announcing more than that; and slow bodies that
 * send a line every two seconds and never end.
 */
final class SmtpBodyAttack extends Attack {
    private static final byte[] LINE = ("y".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private final HostileTarget target;
    private final InetAddress bigSource;
    private final InetAddress slowSource;
    private final int bigWorkers;
    private final int slowWorkers;

    SmtpBodyAttack(HostileTarget target, InetAddress bigSource, InetAddress slowSource, int bigWorkers, int slowWorkers) {
        this.target = target;
        this.bigSource = bigSource;
        this.slowSource = slowSource;
        this.bigWorkers = bigWorkers;
        this.slowWorkers = slowWorkers;
    }

    @Override
    String name() {
        return "SMTP DATA oversized or slow";
    }

    @Override
    void start() {
        for (int i = 0; i < bigWorkers; i++) {
            loop("smtp-big-" + i, 1000, this::oversized);
        }
        for (int i = 0; i < slowWorkers; i++) {
            loop("smtp-slow-" + i, 1000, this::slow);
        }
    }

    private void oversized() throws Exception {
        AttackSocket s = target.mx(bigSource, tally, 120_000);
        if (s == null) {
            return;
        }
        held(s);
        try {
            while (running) {
                s.write("MAIL FROM:<x@attacker.example> SIZE=" + (target.maxMessageSize() * 100) + "\r\n");
                tally.reply(s.smtpReply());
                s.write("RSET\r\n");
                s.smtpReply();
                if (!transaction(s)) {
                    return;
                }
                long sent = 0;
                while (sent <= target.maxMessageSize()) {
                    s.write(LINE);
                    sent += LINE.length;
                }
                s.write(".\r\n");
                String answer = s.smtpReply();
                tally.reply(answer);
                tally.count("oversized messages sent (" + sent / 1048576 + " MiB each)");
                if (answer == null) {
                    return;
                }
                // The bench's attackers share the relay's two cores: a bandwidth budget (~6 MB/s) keeps
                // this a test of the relay's limits, not of how fast loopback TLS eats the machine.
                pause(5000);
            }
        } finally {
            release(s);
        }
    }

    private void slow() throws Exception {
        AttackSocket s = target.mx(slowSource, tally, 600_000);
        if (s == null) {
            return;
        }
        held(s);
        try {
            if (!transaction(s)) {
                return;
            }
            tally.count("slow bodies started");
            while (running) {
                s.write(LINE);
                tally.add("slow body bytes sent", LINE.length);
                pause(2000);
            }
        } finally {
            release(s);
        }
    }

    /** MAIL, RCPT to the victim, DATA; false (answer counted) unless the relay said 354. */
    private boolean transaction(AttackSocket s) throws java.io.IOException {
        for (String command : List.of("MAIL FROM:<x@attacker.example>", "RCPT TO:<" + target.victim() + ">", "DATA")) {
            s.write(command + "\r\n");
            String answer = s.smtpReply();
            if (answer == null || !(answer.startsWith("250") || answer.startsWith("354"))) {
                tally.reply(answer);
                return false;
            }
        }
        return true;
    }

    @Override
    Row row() {
        return new Row(name() + ": " + bigWorkers + " port-25 sessions send messages of max_message_size + 1 line (one every 5 s) and "
                + "announce SIZE= 100 × max_message_size; " + slowWorkers + " send a 1000-byte line every 2 s and never end",
                "SEC-1: body spooled to data_dir/tmp beyond 64 KiB; max_message_size = 31457280 (552 5.3.4); "
                        + "per-client share of max_smtp_connections (200)",
                tally.replies(), counterLines());
    }
}
