package chatmail.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DKIM key records (TXT at {@code <selector>._domainkey.<domain>}) by name, least recently used
 * dropped first (SMTP-8). An entry lives for its TTL, clamped to [{@code minTtl}, {@code maxTtl}]
 * so a zero TTL still spares a burst of mail from the same relay a lookup per message, and a
 * week-long TTL does not pin a key the domain has since rotated. Temporary failures are never
 * cached, and a key that failed a verification is {@link #forget forgotten}, so the next message
 * looks it up anew (the sender may just have rotated keys).
 */
public final class DkimKeyCache {

    private final DnsResolver resolver;
    private final Clock clock;
    private final int capacity;
    private final Duration minTtl;
    private final Duration maxTtl;
    private final Map<String, Cached> entries;

    private record Cached(List<String> records, Instant expires) {}

    public DkimKeyCache(DnsResolver resolver, Clock clock, int capacity, Duration minTtl, Duration maxTtl) {
        this.resolver = resolver;
        this.clock = clock;
        this.capacity = capacity;
        this.minTtl = minTtl;
        this.maxTtl = maxTtl;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > DkimKeyCache.this.capacity;
            }
        };
    }

    public static DkimKeyCache standard(DnsResolver resolver, Clock clock) {
        return new DkimKeyCache(resolver, clock, 4096, Duration.ofMinutes(1), Duration.ofHours(1));
    }

    /** The TXT strings at {@code name}; empty when there are none or the name does not exist. */
    public List<String> lookup(String name) throws DnsTemporaryException {
        String key = key(name);
        Instant now = clock.instant();
        synchronized (entries) {
            Cached cached = entries.get(key);
            if (cached != null && now.isBefore(cached.expires())) {
                return cached.records();
            }
        }
        // No lock while asking the DNS: a slow server must not stall lookups of other names.
        DnsResolver.TxtAnswer answer = resolver.txt(name);
        Duration ttl = answer.ttl().compareTo(minTtl) < 0 ? minTtl
                : answer.ttl().compareTo(maxTtl) > 0 ? maxTtl : answer.ttl();
        synchronized (entries) {
            entries.put(key, new Cached(answer.values(), now.plus(ttl)));
        }
        return answer.values();
    }

    /** Drops the cached records of {@code name}, if any. */
    public void forget(String name) {
        synchronized (entries) {
            entries.remove(key(name));
        }
    }

    /** How many names are cached now (for tests and status). */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** True when {@code name} is cached and fresh. */
    public boolean contains(String name) {
        synchronized (entries) {
            Cached e = entries.get(key(name));
            return e != null && clock.instant().isBefore(e.expires());
        }
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
