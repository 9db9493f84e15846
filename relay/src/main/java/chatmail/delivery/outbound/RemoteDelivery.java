package chatmail.delivery.outbound;

import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import chatmail.dns.MxAnswer;
import chatmail.store.MessageBody;
import chatmail.tls.TlsContexts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to the recipients of one domain (DLV-1, DLV-2): the destination from
 * DNS (IP literal, MX by preference, or the domain itself), then per MX host first
 * {@code /mxdeliv} over HTTPS, and SMTP with STARTTLS when the host has none. Connection and
 * TLS errors move on to the next MX; an answer from a server (accepted, refused, deferred) ends
 * the attempt. Recipients no host answered for are deferred.
 *
 * <p>Logs name domains and hosts, never addresses of people or IP addresses.
 */
public final class RemoteDelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteDelivery.class);

    private final DnsResolver dns;
    private final TlsContexts tls;
    private final MxDelivClient mxDeliv;
    private final MxDelivAvailability availability;
    private final SmtpTransaction smtp;
    private final OutboundSettings settings;
    private final DestinationPolicy destinations;
    private final int smtpPort;
    private final boolean preferIpv6;

    /**
     * @param heloName the name this relay gives in EHLO (its mail domain)
     * @param destinations which addresses may be connected to (SEC-5)
     * @param smtpPort {@code outbound_smtp_port}
     * @param httpsPort {@code outbound_https_port}
     * @param preferIpv6 false when the relay runs with {@code disable_ipv6}
     */
    public RemoteDelivery(DnsResolver dns, TlsContexts tls, Clock clock, OutboundSettings settings,
            DestinationPolicy destinations, String heloName, int smtpPort, int httpsPort, boolean preferIpv6) {
        this.dns = dns;
        this.tls = tls;
        this.settings = settings;
        this.destinations = destinations;
        // The HTTPS path resolves MX hosts through dns_resolver too, as the SMTP path does, and
        // checks the addresses again where it connects: the answer may differ from the first.
        this.mxDeliv = new MxDelivClient(tls::outboundContext, tls::insecureOutboundContext,
                host -> permittedOrRefused(resolve(host, isIpAddress(host))), httpsPort, settings.connectTimeout(),
                settings.httpsRequestTimeout());
        this.availability = new MxDelivAvailability(clock, settings.noMxDelivMemory());
        this.smtp = new SmtpTransaction(settings, heloName);
        this.smtpPort = smtpPort;
        this.preferIpv6 = preferIpv6;
    }

    /**
     * Starts the /mxdeliv client that verifies, and when this relay serves HTTPS, posts once to
     * itself ({@link MxDelivClient#exchangeWithSelf}); connects nowhere else. The first delivery
     * after a start otherwise waited for Jetty's client to be built and started (100-300 ms on a
     * busy machine) and for its first connection and request (about as much again; docs/benchmarks.md
     * "Federation").
     *
     * @param self this relay's HTTPS listener, or null when it has none
     * @param hostName the name its certificate is for
     */
    public void warmUp(InetSocketAddress self, String hostName) {
        mxDeliv.start();
        if (self != null) {
            mxDeliv.exchangeWithSelf(self, hostName);
        }
    }

    /** As {@link #deliver(String, String, List, MessageBody)}, for a message held in memory. */
    public Map<String, RecipientResult> deliver(String domain, String sender, List<String> recipients, byte[] message)
            throws InterruptedException {
        return deliver(domain, sender, recipients, MessageBody.of(message));
    }

    /**
     * One attempt, ended by {@code outbound_attempt_timeout} however slowly the servers answer.
     *
     * @param domain the recipients' domain, lower case; {@code [1.2.3.4]} for an IP literal
     * @param sender the envelope sender, empty for the null sender
     * @return one result per recipient
     */
    public Map<String, RecipientResult> deliver(String domain, String sender, List<String> recipients, MessageBody message)
            throws InterruptedException {
        AttemptDeadline deadline = AttemptDeadline.in(settings.attemptTimeout());
        Map<String, RecipientResult> results = new LinkedHashMap<>();
        List<String> hosts;
        boolean implicitMx = false;
        boolean ipLiteral = domain.startsWith("[") && domain.endsWith("]");
        if (ipLiteral) {
            String ip = domain.substring(1, domain.length() - 1);
            hosts = List.of(ip.regionMatches(true, 0, "IPv6:", 0, 5) ? ip.substring(5) : ip);
        } else {
            MxAnswer mx;
            try {
                mx = dns.mx(domain);
            } catch (DnsTemporaryException e) {
                return all(recipients, new RecipientResult.Deferred("DNS: " + e.getMessage()));
            }
            switch (mx) {
                case MxAnswer.NullMx n -> {
                    return all(recipients, new RecipientResult.Failed("556 5.1.10 Domain " + domain + " does not accept mail (null MX)"));
                }
                case MxAnswer.NoSuchDomain n -> {
                    return all(recipients, new RecipientResult.Failed("550 5.1.2 Domain " + domain + " does not exist"));
                }
                case MxAnswer.Hosts h -> {
                    hosts = h.hosts();
                    implicitMx = h.implicit();
                }
            }
        }
        boolean verify = !ipLiteral && !domain.startsWith("_");

        List<String> remaining = new ArrayList<>(recipients);
        String lastProblem = "no MX host reachable";
        boolean anyAddress = false;
        boolean addressLookupFailed = false;
        boolean anyRefused = false;
        boolean anyPermitted = false;
        for (String host : hosts) {
            if (deadline.passed()) {
                lastProblem = deadline.reason();
                break;
            }
            boolean verifyHost = verify && !host.startsWith("_");
            List<InetAddress> addresses;
            try {
                addresses = resolve(host, ipLiteral);
            } catch (DnsTemporaryException e) {
                addressLookupFailed = true;
                lastProblem = "DNS for " + host + ": " + e.getMessage();
                continue;
            } catch (UnknownHostException e) {
                return all(remaining, results, new RecipientResult.Failed("550 5.1.2 Bad IP literal " + domain));
            }
            anyAddress |= !addresses.isEmpty();
            List<InetAddress> permitted = destinations.permitted(addresses);
            if (permitted.isEmpty()) {
                if (!addresses.isEmpty()) {
                    anyRefused = true;
                    log.info("delivery to {} refused for {}: only loopback, private, link-local, multicast"
                            + " or own addresses", domain, host);
                }
                continue;
            }
            anyPermitted = true;

            if (availability.mayTry(host)) {
                MxDelivOutcome outcome = viaHttps(host, verifyHost, sender, remaining, message, results, deadline);
                if (outcome == null) {
                    return results; // every recipient has an answer
                }
                if (outcome instanceof MxDelivOutcome.Temporary t) {
                    remaining.forEach(r -> results.put(r, new RecipientResult.Deferred(t.reason())));
                    return results;
                }
                if (deadline.passed()) {
                    return all(remaining, results, new RecipientResult.Deferred(deadline.reason()));
                }
                availability.unavailable(host);
                log.debug("{} has no /mxdeliv ({}), using SMTP", host, ((MxDelivOutcome.NotAvailable) outcome).reason());
            }

            SSLContext context = verifyHost ? tls.outboundContext() : tls.insecureOutboundContext();
            SSLParameters parameters = tls.outboundParameters(host);
            if (!verifyHost) {
                parameters.setEndpointIdentificationAlgorithm(null);
            }
            for (InetAddress address : permitted) {
                SmtpHostOutcome outcome = smtp.deliver(new InetSocketAddress(address, smtpPort), host, context,
                        parameters, sender, remaining, message, deadline);
                if (outcome instanceof SmtpHostOutcome.Answered answered) {
                    results.putAll(answered.results());
                    return all(remaining, results, new RecipientResult.Deferred(host + " gave no answer"));
                }
                lastProblem = host + ": " + ((SmtpHostOutcome.Unreachable) outcome).reason();
                log.info("delivery to {} via {} failed: {}", domain, host, ((SmtpHostOutcome.Unreachable) outcome).reason());
                if (deadline.passed()) {
                    break;
                }
            }
        }
        if (anyRefused && !anyPermitted && !addressLookupFailed) {
            return all(remaining, results, new RecipientResult.Failed(DestinationPolicy.refusedReply(domain)));
        }
        if (implicitMx && !anyAddress && !addressLookupFailed) {
            return all(remaining, results, new RecipientResult.Failed("550 5.1.2 Domain " + domain + " has no mail server"));
        }
        return all(remaining, results, new RecipientResult.Deferred(lastProblem));
    }

    /** The host's addresses: the literal itself, or from DNS. */
    private List<InetAddress> resolve(String host, boolean ipLiteral) throws DnsTemporaryException, UnknownHostException {
        return ipLiteral ? List.of(DestinationPolicy.literal(host)) : dns.addresses(host, preferIpv6);
    }

    private List<InetAddress> permittedOrRefused(List<InetAddress> addresses) throws UnknownHostException {
        List<InetAddress> permitted = destinations.permitted(addresses);
        if (permitted.isEmpty() && !addresses.isEmpty()) {
            throw new UnknownHostException("destination refused (SEC-5)");
        }
        return permitted;
    }

    /**
     * Posts to /mxdeliv until every recipient has an answer (returns null) or the host shows a
     * temporary problem or no /mxdeliv (returns that outcome; {@code remaining} then holds the
     * recipients still without an answer). A 5xx naming one recipient fails that one and
     * re-posts to the others.
     */
    private MxDelivOutcome viaHttps(String host, boolean verify, String sender, List<String> remaining, MessageBody message,
            Map<String, RecipientResult> results, AttemptDeadline deadline) throws InterruptedException {
        while (!remaining.isEmpty()) {
            if (deadline.passed()) {
                return new MxDelivOutcome.NotAvailable(deadline.reason());
            }
            MxDelivOutcome outcome = mxDeliv.post(host, verify, sender, List.copyOf(remaining), message,
                    deadline.cap(settings.httpsRequestTimeout()));
            switch (outcome) {
                case MxDelivOutcome.Delivered d -> {
                    remaining.forEach(r -> results.put(r, RecipientResult.DELIVERED));
                    remaining.clear();
                }
                case MxDelivOutcome.Refused refused when refused.recipient() != null -> {
                    results.put(refused.recipient(), new RecipientResult.Failed(refused.reply()));
                    remaining.remove(refused.recipient());
                }
                case MxDelivOutcome.Refused refused -> {
                    remaining.forEach(r -> results.put(r, new RecipientResult.Failed(refused.reply())));
                    remaining.clear();
                }
                default -> {
                    return outcome;
                }
            }
        }
        return null;
    }

    private static boolean isIpAddress(String host) {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    @Override
    public void close() {
        mxDeliv.close();
    }

    private static Map<String, RecipientResult> all(List<String> recipients, RecipientResult result) {
        return all(recipients, new LinkedHashMap<>(), result);
    }

    private static Map<String, RecipientResult> all(List<String> recipients, Map<String, RecipientResult> results,
            RecipientResult result) {
        for (String r : recipients) {
            results.putIfAbsent(r, result);
        }
        return results;
    }
}
