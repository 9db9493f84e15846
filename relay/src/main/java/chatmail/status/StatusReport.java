package chatmail.status;

import chatmail.delivery.outbound.QueueSummary;
import chatmail.store.StoreStatistics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * What {@code chatmail status} prints (OPS-3), and whether the relay is healthy: one line per
 * field as {@code name: value}, then {@code health: ok} or {@code health: unhealthy} and one
 * {@code problem:} line per broken rule. The fields come under {@value #THIS_NODE}: this process's
 * own figures; with storage other nodes share (PostgreSQL), the accounts, stored messages and
 * queues come under {@value #CLUSTER} instead, since every node reads the same figures there
 * (adding them up across nodes would count them once per node). The rules, with the relay's own
 * clock:
 * <ul>
 *   <li>no listener;</li>
 *   <li>the store cannot answer;</li>
 *   <li>an outbound queue entry older than {@link #QUEUE_AGE_LIMIT}; a push notification older
 *       than {@link #PUSH_AGE_LIMIT} (its retries end after 78 minutes, so an older one means a
 *       stuck worker);</li>
 *   <li>a certificate that expires within {@link #EXPIRY_MARGIN};</li>
 *   <li>a certificate the relay renews itself (ACME) still unrenewed a sixth of its lifetime
 *       after its renewal time. Self-signed and external certificates: only expiry counts.</li>
 * </ul>
 */
public record StatusReport(List<String> lines, List<String> problems) {

    static final Duration QUEUE_AGE_LIMIT = Duration.ofHours(1);
    static final Duration PUSH_AGE_LIMIT = Duration.ofHours(2);
    static final Duration EXPIRY_MARGIN = Duration.ofHours(24);
    public static final int DESTINATIONS_SHOWN = 10;
    static final String THIS_NODE = "[this node]";
    static final String CLUSTER = "[cluster: every node's, read from the shared database]";

    public StatusReport {
        lines = List.copyOf(lines);
        problems = List.copyOf(problems);
    }

    public boolean healthy() {
        return problems.isEmpty();
    }

    /** The whole answer: fields, health, problems; each line ends with a newline. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(line).append('\n');
        }
        out.append("health: ").append(healthy() ? "ok" : "unhealthy").append('\n');
        for (String problem : problems) {
            out.append("problem: ").append(problem).append('\n');
        }
        return out.toString();
    }

    public static StatusReport collect(StatusSources sources, Clock clock) {
        Instant now = clock.instant();
        List<String> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        lines.add(THIS_NODE);
        lines.add("version: " + sources.version());
        lines.add("uptime: " + span(Duration.between(sources.startedAt(), now)) + " (since " + at(sources.startedAt()) + ")");
        StatusSources.Node node = sources.node();
        lines.add("node: " + node.id() + " (storage " + node.storage()
                + (node.shared() ? ", shared with the other nodes)" : ", this node's own)"));

        Map<String, Integer> listeners = sources.listeners().get();
        StringJoiner ports = new StringJoiner(", ");
        listeners.forEach((service, port) -> ports.add(service + " " + port));
        lines.add("listeners: " + (listeners.isEmpty() ? "none" : ports));
        if (listeners.isEmpty()) {
            problems.add("no listener");
        }
        StatusSources.Connections connections = sources.connections().get();
        StringJoiner open = new StringJoiner(", ");
        connections.byService().forEach((service, count) -> open.add(service + " " + count));
        lines.add("connections: " + open + "; in IDLE " + connections.idle());
        sources.clusterEvents().get().ifPresent(e -> lines.add("cross-node notifications: " + e.sent() + " sent in "
                + e.batches() + " batches, " + e.dropped() + " batches dropped, " + e.received() + " received, "
                + e.listenerReconnects() + " listener reconnects"));

        for (CertificateInfo c : sources.certificates().certificates()) {
            lines.add("certificate: " + String.join(", ", c.names()) + " (" + c.source() + "), expires "
                    + at(c.notAfter()) + " (" + (now.isBefore(c.notAfter()) ? "in " + span(Duration.between(now, c.notAfter()))
                    : span(Duration.between(c.notAfter(), now)) + " ago") + ")"
                    + c.renewAt().map(r -> ", renewal due " + at(r)).orElse(""));
            certificateProblem(c, now).ifPresent(problems::add);
        }

        lines.add("last expiry run: " + sources.lastExpiry().get()
                .map(run -> at(run.at()) + ", " + run.report()).orElse("none since start"));
        lines.add("dns check: " + sources.lastDnsCheck().get()
                .map(check -> (check.problems() == 0 ? "all required records in place"
                        : check.problems() + " required record(s) missing or wrong") + " (" + at(check.at()) + ")")
                .orElse("never run (chatmail dns --check)"));

        // From here on the figures come from storage: the cluster's when the nodes share it.
        if (node.shared()) {
            lines.add(CLUSTER);
        }
        try {
            StoreStatistics s = sources.store().apply(LocalDate.ofInstant(now, ZoneOffset.UTC));
            lines.add("accounts: " + s.accounts() + " (logged in today " + s.loggedInToday() + ", within 7 days "
                    + s.loggedInWithin7Days() + ", within 30 days " + s.loggedInWithin30Days() + ")");
            lines.add("stored: " + s.messages() + " messages, " + s.bytes() + " bytes");
        } catch (RuntimeException e) {
            lines.add("accounts: unknown");
            problems.add("store: " + e.getMessage());
        }

        try {
            QueueSummary q = sources.outboundQueue().get();
            StringBuilder line = new StringBuilder("outbound queue: " + q.recipients() + " recipients");
            q.oldest().ifPresent(oldest -> line.append(", oldest queued ").append(at(oldest))
                    .append(" (").append(span(Duration.between(oldest, now))).append(" ago)"));
            if (!q.byDestination().isEmpty()) {
                StringJoiner top = new StringJoiner(", ", "; by destination: ", "");
                q.byDestination().entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                        .limit(DESTINATIONS_SHOWN)
                        .forEach(e -> top.add(e.getKey() + " " + e.getValue()));
                line.append(top);
            }
            lines.add(line.toString());
            q.oldest().filter(oldest -> Duration.between(oldest, now).compareTo(QUEUE_AGE_LIMIT) > 0)
                    .ifPresent(oldest -> problems.add("outbound queue: an entry has waited "
                            + span(Duration.between(oldest, now)) + " (more than " + span(QUEUE_AGE_LIMIT) + ")"));
        } catch (RuntimeException e) {
            lines.add("outbound queue: unknown");
            problems.add("outbound queue: " + e.getMessage());
        }

        try {
            StatusSources.PushQueue push = sources.pushQueue().get();
            lines.add("push queue: " + push.size() + " notifications"
                    + push.oldest().map(o -> ", oldest queued " + at(o) + " (" + span(Duration.between(o, now)) + " ago)").orElse(""));
            push.oldest().filter(oldest -> Duration.between(oldest, now).compareTo(PUSH_AGE_LIMIT) > 0)
                    .ifPresent(oldest -> problems.add("push queue: a notification has waited "
                            + span(Duration.between(oldest, now)) + " (more than " + span(PUSH_AGE_LIMIT) + ")"));
        } catch (RuntimeException e) {
            lines.add("push queue: unknown");
            problems.add("push queue: " + e.getMessage());
        }

        return new StatusReport(lines, problems);
    }

    /** The certificate rules of OPS-3, or empty when this certificate is fine. */
    static Optional<String> certificateProblem(CertificateInfo c, Instant now) {
        String names = String.join(", ", c.names());
        if (Duration.between(now, c.notAfter()).compareTo(EXPIRY_MARGIN) < 0) {
            return Optional.of("certificate for " + names + (now.isBefore(c.notAfter()) ? " expires " : " expired ")
                    + at(c.notAfter()) + " (less than " + span(EXPIRY_MARGIN) + " left)");
        }
        if (c.renewAt().isPresent()) {
            Instant overdue = c.renewAt().get().plus(c.lifetime().dividedBy(6));
            if (now.isAfter(overdue)) {
                return Optional.of("certificate for " + names + " was due for renewal at " + at(c.renewAt().get())
                        + " and is still not renewed");
            }
        }
        return Optional.empty();
    }

    private static String at(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A duration as people read it: 3d 4h, 2h 5m, 4m 10s. */
    static String span(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86400;
        long hours = s % 86400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m " + seconds + "s" : seconds + "s";
    }
}
