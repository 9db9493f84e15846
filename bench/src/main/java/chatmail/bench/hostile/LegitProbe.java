package chatmail.bench.hostile;

import java.net.InetAddress;
import java.util.List;

/**
 * Not an attack: a legitimate newcomer from an address of its own who, every two seconds
 * while the attacks run, opens a fresh connection to each flooded service and expects its
 * greeting (port 443: the web site's answer). It shows whether the caps keep room for new
 * users, which the legitimate load's long-lived connections cannot show.
 */
final class LegitProbe extends Attack {
    private final HostileTarget target;
    private final InetAddress source;
    private final List<Service> services;

    LegitProbe(HostileTarget target, InetAddress source, List<Service> services) {
        this.target = target;
        this.source = source;
        this.services = services;
    }

    @Override
    String name() {
        return "Legitimate newcomer";
    }

    @Override
    void start() {
        for (Service service : services) {
            loop("probe-" + service.port(), 2000, () -> probe(service));
        }
    }

    private void probe(Service service) throws Exception {
        long t0 = System.nanoTime();
        String first;
        try (AttackSocket s = service.implicitTls()
                ? AttackSocket.tls(target.tls(), source, target.host(), service.port(), 30_000)
                : AttackSocket.plain(source, target.host(), service.port(), 30_000)) {
            if (service.port() == target.https()) {
                s.write("GET /robots.txt HTTP/1.1\r\nHost: " + target.domain() + "\r\nConnection: close\r\n\r\n");
            }
            first = s.line();
        } catch (java.io.IOException e) {
            first = "error: " + e.getClass().getSimpleName();
        }
        boolean ok = first != null && (first.startsWith("220 ") || first.startsWith("* OK") || first.startsWith("HTTP/1.1 200"));
        if (!running) {
            return;
        }
        tally.count(service.name() + (ok ? ": welcomed" : ": not welcomed"));
        if (ok) {
            tally.seconds(service.name() + ": time to greeting", (System.nanoTime() - t0) / 1e9);
        } else {
            tally.reply(first);
        }
    }

    @Override
    Row row() {
        List<String> results = new java.util.ArrayList<>(counterLines());
        for (Service service : services) {
            String d = tally.durations(service.name() + ": time to greeting");
            if (!d.isEmpty()) {
                results.add(d);
            }
        }
        return new Row(name() + ": a fresh connection to each flooded service every 2 s from another address",
                "(measurement)", tally.replies(), results);
    }
}
