package chatmail.dns;

import chatmail.config.Config;
import chatmail.util.Lazy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The relay's DNS client (dnsjava): one server from {@code dns_resolver} or the system's
 * servers. Every answer is sorted into records / no data / no such name; anything else
 * (SERVFAIL, REFUSED, timeouts) is a {@link DnsTemporaryException}, so a flaky resolver never
 * turns into a permanent bounce.
 *
 * <p>Thread-safe; lookups block the calling (virtual) thread until the answer or the timeout.
 */
public final class DnsResolver {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    // Made on the first lookup: dnsjava and the system's resolver configuration are start-up work
    // that a relay needs only once mail leaves or arrives from another server.
    private final Lazy<Resolver> resolver;
    private final Random random = new Random();
    /** Set by {@link #cacheDeliveryAnswers}; null: every question goes to the server. */
    private volatile DnsCache cache;

    public DnsResolver(List<InetSocketAddress> servers, Duration timeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server to ask");
        }
        List<InetSocketAddress> copy = List.copyOf(servers);
        this.resolver = new Lazy<>(() -> resolverFor(copy, timeout));
    }

    private DnsResolver(Duration timeout) {
        this.resolver = new Lazy<>(() -> {
            List<InetSocketAddress> system = ResolverConfig.getCurrentConfig().servers();
            if (system.isEmpty()) {
                throw new IllegalStateException("no DNS server to ask (none in the system's resolver configuration)");
            }
            return resolverFor(system, timeout);
        });
    }

    private static Resolver resolverFor(List<InetSocketAddress> servers, Duration timeout) {
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            InetSocketAddress resolved = server.isUnresolved()
                    ? new InetSocketAddress(server.getHostString(), server.getPort()) : server;
            SimpleResolver simple = new SimpleResolver(resolved);
            simple.setTimeout(timeout);
            resolvers.add(simple);
        }
        if (resolvers.size() == 1) {
            return resolvers.getFirst();
        }
        ExtendedResolver extended = new ExtendedResolver(resolvers);
        extended.setTimeout(timeout);
        extended.setRetries(1);
        return extended;
    }

    /** {@code dns_resolver} when set, else the system's resolvers (from /etc/resolv.conf). */
    public static DnsResolver fromConfig(Config config) {
        return fromConfig(config, DEFAULT_TIMEOUT);
    }

    public static DnsResolver fromConfig(Config config, Duration timeout) {
        return config.dnsResolver() != null && !config.dnsResolver().isBlank()
                ? new DnsResolver(List.of(ResolverAddress.parse(config.dnsResolver())), timeout)
                : new DnsResolver(timeout);
    }

    /** Most names whose delivery answers are cached; the least recently used go first. */
    static final int CACHE_CAPACITY = 10_000;
    /** Longest an answer is cached, whatever its TTL: a changed MX is followed within the hour. */
    static final Duration CACHE_MAX_TTL = Duration.ofHours(1);

    /**
     * From now on keeps the answers to MX, A and AAAA questions for their TTL ({@link DnsCache}),
     * timed by {@code clock}: the lookups of every outgoing message. TXT (DKIM keys, with a cache
     * of their own that drops a key that failed) and the rest are always asked. Returns this.
     */
    public DnsResolver cacheDeliveryAnswers(Clock clock) {
        cache = new DnsCache(clock, CACHE_CAPACITY, CACHE_MAX_TTL);
        return this;
    }

    private static boolean cachedType(int type) {
        return type == Type.MX || type == Type.A || type == Type.AAAA;
    }

    /**
     * Writes and reads back a question in memory, without sending it: dnsjava's classes (names,
     * types, the message format) are loaded before the first message's lookups need them.
     */
    public void warmUp() {
        try {
            Message question = Message.newQuery(Record.newRecord(Name.fromString("warm-up.invalid."), Type.MX, DClass.IN));
            new Message(question.toWire()).getSection(Section.QUESTION);
        } catch (IOException | RuntimeException e) {
            // nothing warmed; the first lookup pays
        }
    }

    /** One question, the answer sorted into its three permanent kinds. */
    public DnsAnswer query(String name, int type) throws DnsTemporaryException {
        return send(name, type).answer();
    }

    /**
     * The answer from the cache, or the question sent: {@link Question#answer} waits for its
     * answer, so two questions sent one after the other are on their way together.
     */
    private Question send(String name, int type) {
        DnsCache c = cachedType(type) ? cache : null;
        if (c != null) {
            DnsAnswer cached = c.get(name, type);
            if (cached != null) {
                return new Question(name, type, null, null, new Asked(cached, Duration.ZERO));
            }
        }
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            // A name that cannot exist in the DNS: as final as NXDOMAIN.
            return new Question(name, type, c, null, new Asked(new DnsAnswer.NoSuchName(), Duration.ZERO));
        }
        try {
            Resolver r = resolver.get();
            CompletableFuture<Message> response =
                    r.sendAsync(Message.newQuery(Record.newRecord(qname, type, DClass.IN))).toCompletableFuture();
            return new Question(name, type, c, new InFlight(response, r.getTimeout()), null);
        } catch (IllegalStateException e) {
            // The system names no DNS server; temporary, as a timeout would be.
            return new Question(name, type, c, new InFlight(CompletableFuture.failedFuture(e), Duration.ZERO), null);
        }
    }

    /** A response on its way and how long to wait for it (the resolver's own timeout, as its {@code send} waits). */
    private record InFlight(CompletableFuture<Message> response, Duration timeout) {}

    /** An answer and how long it may be kept (zero: not at all). */
    private record Asked(DnsAnswer answer, Duration ttl) {}

    /** A question: answered already ({@code asked}), or its response {@code inFlight}, kept in {@code cache} once sorted. */
    private record Question(String name, int type, DnsCache cache, InFlight inFlight, Asked asked) {
        DnsAnswer answer() throws DnsTemporaryException {
            Asked a = asked != null ? asked : sorted(await());
            if (cache != null) {
                cache.put(name, type, a.answer(), a.ttl());
            }
            return a.answer();
        }

        private Message await() throws DnsTemporaryException {
            try {
                return inFlight.response().get(inFlight.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw failure(cause.getMessage(), cause);
            } catch (TimeoutException e) {
                throw failure("timed out", e);
            }
        }

        private DnsTemporaryException failure(String why, Throwable cause) {
            return new DnsTemporaryException(Type.string(type) + " " + name + ": " + why, cause);
        }

        private Asked sorted(Message response) throws DnsTemporaryException {
            int rcode = response.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return new Asked(new DnsAnswer.NoSuchName(), negativeTtl(response));
            }
            if (rcode != Rcode.NOERROR) {
                throw new DnsTemporaryException(Type.string(type) + " " + name + ": " + Rcode.string(rcode));
            }
            List<Record> records = new ArrayList<>();
            long ttl = Long.MAX_VALUE;
            for (Record r : response.getSection(Section.ANSWER)) {
                if (r.getType() == type) {
                    records.add(r);
                    ttl = Math.min(ttl, r.getTTL());
                }
            }
            if (records.isEmpty()) {
                return new Asked(new DnsAnswer.NoData(), negativeTtl(response));
            }
            return new Asked(new DnsAnswer.Records(records, Duration.ofSeconds(ttl)), Duration.ofSeconds(ttl));
        }
    }

    /** RFC 2308 section 5: the smaller of the authority SOA's TTL and its minimum; zero without a SOA. */
    private static Duration negativeTtl(Message response) {
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum()));
            }
        }
        return Duration.ZERO;
    }

    /**
     * Mail destination of a domain (DLV-1): MX hosts by preference (equal preferences in random
     * order, RFC 5321 5.1), the domain itself when it has no MX, or one of the permanent failures.
     */
    public MxAnswer mx(String domain) throws DnsTemporaryException {
        DnsAnswer answer = query(domain, Type.MX);
        return switch (answer) {
            case DnsAnswer.NoSuchName n -> new MxAnswer.NoSuchDomain();
            case DnsAnswer.NoData n -> new MxAnswer.Hosts(List.of(stripDot(domain)), true);
            case DnsAnswer.Records r -> {
                List<MXRecord> mx = new ArrayList<>();
                for (Record record : r.records()) {
                    mx.add((MXRecord) record);
                }
                if (mx.size() == 1 && mx.getFirst().getTarget().equals(Name.root)) {
                    yield new MxAnswer.NullMx();
                }
                List<Ranked> ranked = new ArrayList<>();
                for (MXRecord record : mx) {
                    if (!record.getTarget().equals(Name.root)) {
                        ranked.add(new Ranked(record.getPriority(), random.nextInt(), stripDot(record.getTarget().toString())));
                    }
                }
                if (ranked.isEmpty()) {
                    yield new MxAnswer.NullMx();
                }
                ranked.sort(Comparator.comparingInt(Ranked::preference).thenComparingInt(Ranked::tieBreak));
                yield new MxAnswer.Hosts(ranked.stream().map(Ranked::host).distinct().toList(), false);
            }
        };
    }

    private record Ranked(int preference, int tieBreak, String host) {}

    /**
     * The IPv4 and IPv6 addresses of a host, IPv6 first when {@code preferIpv6}. Empty when the
     * host exists without addresses or does not exist; a temporary failure of both families throws.
     */
    public List<InetAddress> addresses(String host, boolean preferIpv6) throws DnsTemporaryException {
        // Both questions leave before either answer is awaited: one round trip to the resolver, not two.
        Question a = send(host, Type.A);
        Question aaaa = send(host, Type.AAAA);
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        DnsTemporaryException failure = null;
        try {
            if (a.answer() instanceof DnsAnswer.Records r) {
                r.records().forEach(rec -> v4.add(((ARecord) rec).getAddress()));
            }
        } catch (DnsTemporaryException e) {
            failure = e;
        }
        try {
            if (aaaa.answer() instanceof DnsAnswer.Records r) {
                r.records().forEach(rec -> v6.add(((AAAARecord) rec).getAddress()));
            }
        } catch (DnsTemporaryException e) {
            if (failure != null) {
                throw failure;
            }
            failure = e;
        }
        if (v4.isEmpty() && v6.isEmpty() && failure != null) {
            throw failure;
        }
        List<InetAddress> all = new ArrayList<>();
        if (preferIpv6) {
            all.addAll(v6);
            all.addAll(v4);
        } else {
            all.addAll(v4);
            all.addAll(v6);
        }
        return all;
    }

    /** TXT records of a name, each record's strings joined (RFC 6376 3.6.2.2); empty when none. */
    public TxtAnswer txt(String name) throws DnsTemporaryException {
        return switch (query(name, Type.TXT)) {
            case DnsAnswer.Records r -> {
                List<String> values = new ArrayList<>();
                for (Record record : r.records()) {
                    values.add(String.join("", ((TXTRecord) record).getStrings()));
                }
                yield new TxtAnswer(values, r.ttl(), true);
            }
            case DnsAnswer.NoData n -> new TxtAnswer(List.of(), Duration.ZERO, true);
            case DnsAnswer.NoSuchName n -> new TxtAnswer(List.of(), Duration.ZERO, false);
        };
    }

    /** @param nameExists false on NXDOMAIN */
    public record TxtAnswer(List<String> values, Duration ttl, boolean nameExists) {
        public TxtAnswer {
            values = List.copyOf(values);
        }
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
