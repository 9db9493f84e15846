package chatmail;

import chatmail.config.Config;
import chatmail.delivery.MessagePipeline;
import chatmail.delivery.outbound.RemoteDelivery;
import chatmail.dkim.DkimSigner;
import chatmail.dkim.DkimVerifier;
import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import chatmail.dns.MxAnswer;
import chatmail.tls.HandshakeWarmUp;
import chatmail.tls.TlsContexts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the relay is ready, in the background: what the first message to or from another
 * relay would otherwise wait for (docs/benchmarks.md, federation). The relay's own MX and its
 * addresses (not for IP-only or local names) through dns_resolver, on a thread of its own, which
 * start dnsjava's I/O; the /mxdeliv client started and one POST of it to the relay's own HTTPS
 * port (the TLS handshake and Jetty's request paths on both sides; without an HTTPS port, a TLS
 * handshake in memory); a DKIM signature, checked as an incoming message is (its own key looked
 * up as another relay's would be; in memory for a relay not in DNS); last the MIME walker and
 * classifier. Nothing leaves the machine but questions about the relay's own domain to its
 * resolver; what is made on first use stays made on first use, only earlier.
 * A failure only leaves the work to the first message. After it, the heap the start left behind
 * is given back ({@link StartUpGarbage#collectAfter}).
 *
 * <p>The POST first: it is most of the warm-up's CPU (the handshakes), and after a restart the
 * first message came while it still ran. The later steps wait while messages arrive
 * ({@link WarmUpYield}): the message does that work itself, and doing it twice at once only
 * shared the two cores between them (docs/benchmarks.md, "Federation", "Sixth pass").
 *
 * <p>It starts at ready, not later: on a quiet machine a warm-up a second after ready gained
 * nothing measurable in restart to ready (671 against 695 ms, median of 5 each) and the first
 * message to another relay after a restart then found everything cold (342 against 181 ms,
 * median of 8; docs/decisions.md, "Start-up and memory").
 */
final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    private static final String WARM_UP_MESSAGE = "From: <warm-up@DOMAIN>\r\nTo: <warm-up@DOMAIN>\r\n"
            + "Subject: warm-up\r\nMessage-ID: <warm-up@DOMAIN>\r\n\r\nwarm-up\r\n";

    private WarmUp() {
    }

    /** @param selfHttps this relay's HTTPS listener, null when it has none */
    static Thread start(Config config, TlsContexts tls, DkimSigner signer, DkimVerifier verifier, DnsResolver dns,
            RemoteDelivery remote, InetSocketAddress selfHttps, WarmUpYield yield, MessagePipeline pipeline) {
        String domain = config.mailDomain();
        return Thread.ofVirtual().name("warm-up").start(() -> {
            long t0 = System.nanoTime();
            dns.warmUp();
            // IP-only, underscore and local names have nothing in DNS to ask for.
            boolean inDns = !config.ipOnly() && !domain.startsWith("_") && !domain.equals("localhost")
                    && !domain.endsWith(".localhost");
            if (inDns) {
                // The relay's own MX through dns_resolver: the first lookup starts dnsjava's I/O
                // (its selector, random ports), which took up to a second on a busy machine. On a
                // thread of its own, so a resolver that does not answer yet holds up nothing else.
                Thread.ofVirtual().name("warm-up-dns").start(() -> {
                    try {
                        // and its addresses: the A/AAAA path is the next a delivery takes
                        if (dns.mx(domain) instanceof MxAnswer.Hosts hosts && !hosts.hosts().isEmpty()) {
                            dns.addresses(hosts.hosts().getFirst(), !config.disableIpv6());
                        }
                    } catch (DnsTemporaryException e) {
                        // the resolver is not answering yet; the first message will try again
                    }
                });
            }
            // The largest step first, so that it has ended before the first clients, who log in
            // after ready, send anything: it was still running at the first message after a
            // restart when it came after the DKIM and MIME steps.
            if (selfHttps == null) {
                HandshakeWarmUp.run(tls, domain);
            }
            try {
                remote.warmUp(selfHttps, domain);
            } catch (RuntimeException e) {
                // the first delivery starts the client instead
            }
            try {
                yield.awaitQuiet();
                if (inDns) {
                    // One signature, checked as an incoming message is: the DKIM key's TXT lookup
                    // through dns_resolver and the key cache (the relay's own key, published with
                    // its MX), which the first message from another relay waited for. A second
                    // signature in memory first, as before, was 20-40 ms more of a cold JIT.
                    try {
                        verifier.check(signer.sign(WARM_UP_MESSAGE.replace("DOMAIN", domain).getBytes(StandardCharsets.US_ASCII)));
                    } catch (RuntimeException e) {
                        // nothing warmed; the first message pays
                    }
                } else {
                    signer.warmUp();
                }
                yield.awaitQuiet();
                pipeline.warmUp();
            } catch (InterruptedException e) {
                // the relay stops
                return;
            }
            log.debug("warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
        });
    }
}
