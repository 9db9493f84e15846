package chatmail.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Answers of the delivery lookups (MX, A, AAAA) kept for as long as their TTL says, at most
 * {@code maxTtl}: without it every outgoing message asked the DNS three questions before its
 * first byte left. A record set lives for its smallest TTL; "no such name" and "no data" for the
 * negative TTL of the zone's SOA (RFC 2308: the smaller of the SOA record's TTL and its minimum
 * field), and not at all without a SOA. A TTL of 0 is not cached. Temporary failures never get
 * here. Least recently used names are dropped beyond {@code capacity}, so the names of many
 * destinations cannot grow it without bound. Thread-safe.
 */
final class DnsCache {

    private record Key(String name, int type) {}

    private record Kept(DnsAnswer answer, Instant expires) {}

    private final Clock clock;
    private final Duration maxTtl;
    private final Map<Key, Kept> entries;

    DnsCache(Clock clock, int capacity, Duration maxTtl) {
        this.clock = clock;
        this.maxTtl = maxTtl;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Kept> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The fresh answer to this question, or null. */
    DnsAnswer get(String name, int type) {
        Key key = new Key(normalize(name), type);
        synchronized (entries) {
            Kept e = entries.get(key);
            if (e == null) {
                return null;
            }
            if (!clock.instant().isBefore(e.expires())) {
                entries.remove(key);
                return null;
            }
            return e.answer();
        }
    }

    /** Keeps an answer for {@code ttl} (at most {@code maxTtl}); nothing for a zero TTL. */
    void put(String name, int type, DnsAnswer answer, Duration ttl) {
        Duration kept = ttl.compareTo(maxTtl) > 0 ? maxTtl : ttl;
        if (kept.isZero() || kept.isNegative()) {
            return;
        }
        Instant expires = clock.instant().plus(kept);
        synchronized (entries) {
            entries.put(new Key(normalize(name), type), new Kept(answer, expires));
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
