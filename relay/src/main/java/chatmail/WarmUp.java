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
import chatmail.tls.TlsConfigurationException;
import chatmail.tls.TlsContexts;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the relay is ready, in the background: what the first message to or from another
 * relay would otherwise wait for (docs/benchmarks.md, federation). The relay's own MX and its
 * addresses (not for IP-only or local names) through dns_resolver, which start dnsjava's I/O,
 * a DKIM signature and its verification (the key file, the RSA code), the MIME walker and
 * classifier, the /mxdeliv client started and one POST of it to the relay's own HTTPS port
 * (the TLS handshake and Jetty's request paths on both sides; without an HTTPS port, a TLS
 * handshake in memory), and last the inbound DKIM check of the message signed here (its own key
 * looked up as another relay's would be). Nothing leaves the machine but questions about the
 * relay's own domain to its resolver; what is made on first use stays made on first use, only
 * earlier.
 * A failure only leaves the work to the first message. After it, the heap the start left behind
 * is given back ({@link StartUpGarbage#collectAfter}).
 *
 * <p>Cheapest first: a message that comes while the warm-up still runs (it takes several
 * hundred milliseconds of CPU, the handshakes most) then finds the DNS and DKIM ready. Before,
 * the DNS question came last and the client was made by the first delivery: the first message
 * after a restart waited for both (70-320 ms and 100-340 ms at load 7), and for its first
 * connection (TLS on both sides, Jetty's first request: 100-200 ms more). The POST, the largest
 * step, was first in a trial and the first message then found the signature cold (docs/benchmarks.md,
 * "Federation", "Sixth pass"). The last step waits while messages arrive ({@link WarmUpYield}): on
 * the relay that sent the first message after a restart it ran beside that message, which does
 * not need an inbound check. A relay sees only its own messages, so on the receiving relay, whose
 * message comes last, the step mostly runs as before.
 *
 * <p>It starts at ready, not later: on a quiet machine a warm-up a second after ready gained
 * nothing measurable in restart to ready (671 against 695 ms, median of 5 each) and the first
 * message to another relay after a restart then found everything cold (342 against 181 ms,
 * median of 8; docs/decisions.md, "Start-up and memory").
 */
final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    private WarmUp() {
    }

    /** @param selfHttps this relay's HTTPS listener, null when it has none */
    static Thread start(Config config, TlsContexts tls, DkimSigner signer, DkimVerifier verifier, DnsResolver dns,
            RemoteDelivery remote, InetSocketAddress selfHttps, WarmUpYield yield, MessagePipeline pipeline) {
        String domain = config.mailDomain();
        return Thread.ofVirtual().name("warm-up").start(() -> {
            long t0 = System.nanoTime();
            // First and on a thread of its own: every first handshake to another relay waits for
            // it (the JDK's CA list, read at the first certificate check), and the self-POST
            // below comes several hundred milliseconds after ready.
            Thread.ofVirtual().name("warm-up-trust").start(() -> {
                try {
                    tls.warmUpOutboundTrust();
                } catch (TlsConfigurationException e) {
                    // the first delivery meets the same problem and reports it
                }
            });
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
            byte[] signed = signer.warmUp();
            pipeline.warmUp();
            if (selfHttps == null) {
                HandshakeWarmUp.run(tls, domain);
            }
            try {
                remote.warmUp(selfHttps, domain);
            } catch (RuntimeException e) {
                // the first delivery starts the client instead
            }
            if (inDns && signed != null) {
                // The check an incoming message gets, on the message signed above: the DKIM key's
                // TXT lookup through dns_resolver and the key cache (the relay's own key, published
                // with its MX), which the first message from another relay waited for. Not beside a
                // message arriving here: on two busy cores the two only took turns.
                try {
                    yield.awaitQuiet();
                    verifier.check(signed);
                } catch (InterruptedException e) {
                    // the relay stops
                    return;
                } catch (RuntimeException e) {
                    // nothing warmed; the first incoming message pays
                }
            }
            log.debug("warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
        });
    }
}
