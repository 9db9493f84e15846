package chatmail.bench.hostile;

import java.net.InetAddress;
import java.util.List;

/**
 * A connection flood beyond a service's cap: from many addresses, 20 connections each (the
 * unauthenticated allowance) that say nothing, not even a TLS ClientHello. When one is closed
 * the attacker opens it again after a second, so the service stays over its cap for the
 * whole attack phase.
 */
final class FloodAttack extends Attack {
    private final HostileTarget target;
    private final List<Service> services;
    private final List<InetAddress> sources;
    private final int perAddress;

    FloodAttack(HostileTarget target, List<Service> services, List<InetAddress> sources, int perAddress) {
        this.target = target;
        this.services = services;
        this.sources = sources;
        this.perAddress = perAddress;
    }

    @Override
    String name() {
        return "Connection flood";
    }

    @Override
    void start() {
        for (Service service : services) {
            for (InetAddress source : sources) {
                for (int i = 0; i < perAddress; i++) {
                    loop("flood-" + service.port() + "-" + source.getHostAddress() + "-" + i, 1000, () -> hold(service, source));
                }
            }
        }
    }

    private void hold(Service service, InetAddress source) throws Exception {
        AttackSocket s = held(AttackSocket.plain(source, target.host(), service.port(), 0));
        try {
            tally.count(service.name() + ": connections opened");
            String line;
            String said = null;
            while ((line = s.line()) != null) {
                if (line.startsWith("220 ") || line.startsWith("* OK")) {
                    continue; // a greeting: admitted
                }
                said = line;
                tally.reply(line);
            }
            if (running) {
                double age = s.ageSeconds();
                if (said == null && age < 1) {
                    tally.reply(null);
                }
                tally.seconds(service.name() + ": held until closed", age);
            }
        } finally {
            release(s);
        }
    }

    @Override
    Row row() {
        List<String> results = new java.util.ArrayList<>(counterLines());
        for (Service service : services) {
            String d = tally.durations(service.name() + ": held until closed");
            if (!d.isEmpty()) {
                results.add(d);
            }
        }
        return new Row(name() + ": " + sources.size() + " addresses × " + perAddress + " silent connections on each of "
                + String.join(", ", services.stream().map(Service::name).toList()) + " (" + sources.size() * perAddress
                + " per service), reopened a second after each close",
                "SEC-3: max_smtp_connections = 1000 (25 and submission each), max_https_connections = 1000, "
                        + "max_imap_connections = 10000, a fifth per client; max_unauthenticated_connections_per_client = 20; "
                        + "at a full service the oldest unauthenticated connection is closed (EVICTED); "
                        + "port 443's ClientHello within 30 s (AlpnRouter.Settings)",
                tally.replies(), results);
    }
}
