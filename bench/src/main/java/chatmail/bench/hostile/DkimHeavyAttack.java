package chatmail.bench.hostile;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Messages with many DKIM signatures on port 25 (issue 11: every signature was checked, each
 * with a DNS lookup and a full body hash): per message 10 signatures whose {@code d=} is the
 * From domain and 40 of other domains, each with its own selector so no cached key helps, on a
 * 256 KiB body. The relay's DNS server is the bench's {@link StubDns}, which counts the key
 * lookups each message caused (in the bench's process, also when the attackers run in their own).
 */
final class DkimHeavyAttack extends Attack {
    static final int ALIGNED = 10;
    static final int OTHERS = 40;
    private static final Pattern SELECTOR = Pattern.compile("^s(\\d+)[au]\\d+\\._domainkey\\.");
    private static final AtomicLong MESSAGES = new AtomicLong();
    private static final String SENT = "messages with " + (ALIGNED + OTHERS) + " signatures sent";

    private final HostileTarget target;
    private final InetAddress source;
    private final int workers;
    private final StubDns dns;
    private final byte[] body;

    /** @param dns the relay's DNS server when it runs in this process (the row then counts the lookups), else null */
    DkimHeavyAttack(HostileTarget target, InetAddress source, int workers, StubDns dns) {
        this.target = target;
        this.source = source;
        this.workers = workers;
        this.dns = dns;
        this.body = ("b".repeat(998) + "\r\n").repeat(256).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    String name() {
        return "DKIM-heavy messages";
    }

    @Override
    void start() {
        for (int i = 0; i < workers; i++) {
            loop("dkim-" + i, 1000, this::send);
        }
    }

    private void send() throws Exception {
        AttackSocket s = target.mx(source, tally, 120_000);
        if (s == null) {
            return;
        }
        held(s);
        try {
            while (running) {
                long n = MESSAGES.incrementAndGet();
                String domain = "atk" + n + ".example";
                for (String command : List.of("MAIL FROM:<x@" + domain + ">", "RCPT TO:<" + target.victim() + ">", "DATA")) {
                    s.write(command + "\r\n");
                    String a = s.smtpReply();
                    if (a == null || !(a.startsWith("250") || a.startsWith("354"))) {
                        tally.reply(a);
                        return;
                    }
                }
                s.write(header(n, domain));
                s.write(body);
                s.write(".\r\n");
                tally.reply(s.smtpReply());
                tally.count(SENT);
            }
        } finally {
            release(s);
        }
    }

    private String header(long n, String domain) {
        StringBuilder h = new StringBuilder();
        String fakeB = Base64.getEncoder().encodeToString(new byte[256]);
        String fakeBh = Base64.getEncoder().encodeToString(new byte[32]);
        for (int i = 0; i < ALIGNED + OTHERS; i++) {
            boolean aligned = i < ALIGNED;
            h.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=")
                    .append(aligned ? domain : "other" + i + ".example").append("; s=s").append(n).append(aligned ? "a" : "u")
                    .append(i).append("; h=from:to:subject; bh=").append(fakeBh).append(";\r\n\tb=").append(fakeB).append("\r\n");
        }
        h.append("From: <x@").append(domain).append(">\r\nTo: <").append(target.victim()).append(">\r\nSubject: [...]\r\n")
                .append("Message-ID: <dkim").append(n).append("@").append(domain).append(">\r\n\r\n");
        return h.toString();
    }

    @Override
    Row row() {
        long messages = tally.get(SENT);
        List<String> results = new java.util.ArrayList<>(counterLines());
        if (dns != null) {
            results.add(lookups(dns.names(), messages));
        }
        return new Row(name() + ": " + workers + " port-25 sessions send messages with " + ALIGNED + " aligned and " + OTHERS
                + " unaligned DKIM signatures (a selector each) on a 256 KiB body",
                "SEC-4: only signatures whose d= is the From domain, at most DkimVerifier.MAX_CHECKED = 3",
                tally.replies(), results);
    }

    /** The result line of the key lookups the relay asked {@code names} for, of {@code messages} sent. */
    static String lookups(List<String> names, long messages) {
        long lookups = perMessage(names).values().stream().mapToLong(Integer::longValue).sum();
        return String.format(java.util.Locale.ROOT, "DKIM key lookups: %d for %d messages answered (%.2f per message), "
                + "at most %d for one message", lookups, messages, messages == 0 ? 0.0 : (double) lookups / messages,
                maxLookupsPerMessage(names));
    }

    /** The messages sent, read back from a row's result lines (the attack ran in another process). */
    static long sent(List<String> results) {
        return results.stream().filter(r -> r.startsWith(SENT + ": ")).mapToLong(r -> Long.parseLong(r.substring(SENT.length() + 2)))
                .sum();
    }

    /** The most key lookups one message caused, from the names the relay asked its DNS server. */
    static int maxLookupsPerMessage(List<String> names) {
        return perMessage(names).values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static Map<String, Integer> perMessage(List<String> names) {
        Map<String, Integer> perMessage = new HashMap<>();
        for (String name : names) {
            Matcher m = SELECTOR.matcher(name);
            if (m.find()) {
                perMessage.merge(m.group(1), 1, Integer::sum);
            }
        }
        return perMessage;
    }
}
