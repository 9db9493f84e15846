package chatmail.bench.hostile;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Issue 11's first attack: one free account's IMAP sessions announce 30 MiB APPEND literals and
 * send nothing (non-synchronising {@code {31457280+}}), or are told {@code + OK} for a
 * synchronising one, send a few MiB and stop. Then the same account opens more sessions until
 * the per-account cap answers.
 */
final class ImapLiteralAttack extends Attack {
    static final long ANNOUNCED = 31_457_280;

    private final HostileTarget target;
    private final InetAddress source;
    private final int connections;
    private final int sentBytes;
    /** Logins in flight at once: the relay lets an address hold 20 connections that have not logged in. */
    private final java.util.concurrent.Semaphore logins = new java.util.concurrent.Semaphore(10);

    ImapLiteralAttack(HostileTarget target, InetAddress source, int connections, int sentBytes) {
        this.target = target;
        this.source = source;
        this.connections = connections;
        this.sentBytes = sentBytes;
    }

    @Override
    String name() {
        return "IMAP APPEND literal announced, not sent";
    }

    @Override
    void start() {
        CountDownLatch stalled = new CountDownLatch(2 * connections);
        for (int i = 0; i < connections; i++) {
            once("imap-literal-" + i, () -> {
                AttackSocket s = held(login());
                s.write("a APPEND INBOX {" + ANNOUNCED + "+}\r\n");
                tally.count("sessions stalled in a 30 MiB literal, 0 bytes sent");
                stalled.countDown();
                String end = s.line();
                tally.reply(end);
            });
            once("imap-literal-sent-" + i, () -> {
                AttackSocket s = held(login());
                s.write("b APPEND INBOX {" + ANNOUNCED + "}\r\n");
                String go = s.line();
                tally.reply(go);
                if (go != null && go.startsWith("+")) {
                    byte[] chunk = "x".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    for (int sent = 0; sent < sentBytes; sent += chunk.length) {
                        s.write(chunk);
                        tally.add("literal bytes sent, then silence", chunk.length);
                    }
                    tally.count("sessions stalled in a 30 MiB literal after " + sentBytes / 1048576 + " MiB");
                }
                stalled.countDown();
                tally.reply(s.line());
            });
        }
        once("imap-account-cap", () -> {
            if (!stalled.await(120, TimeUnit.SECONDS)) {
                tally.count("stalled sessions not all open after 120 s");
            }
            List<AttackSocket> more = new ArrayList<>();
            for (int i = 0; i < 100 && running; i++) {
                try {
                    more.add(held(login()));
                    tally.count("further sessions of the account admitted");
                } catch (java.io.IOException e) {
                    tally.count("further sessions refused");
                    break;
                }
            }
        });
    }

    private AttackSocket login() throws java.io.IOException, InterruptedException {
        logins.acquire();
        try {
            return target.imapLogin(source, tally);
        } finally {
            logins.release();
        }
    }

    @Override
    Row row() {
        return new Row(name() + ": " + connections + " sessions announce {" + ANNOUNCED + "+} and send nothing, "
                + connections + " get + OK for {" + ANNOUNCED + "}, send " + sentBytes / 1048576 + " MiB and stop; "
                + "then the account opens sessions until refused",
                "SEC-1: a literal is never sized from its announcement; at most 64 KiB of a body in memory "
                        + "(BodySpool.MEMORY_LIMIT), the rest in data_dir/tmp; max_imap_connections_per_account = 50",
                tally.replies(), counterLines());
    }
}
