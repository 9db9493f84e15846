package chatmail;

import chatmail.config.Config;
import chatmail.delivery.MessagePipeline;
import chatmail.delivery.outbound.RemoteDelivery;
import chatmail.dkim.DkimSigner;
import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import chatmail.tls.HandshakeWarmUp;
import chatmail.tls.TlsContexts;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the relay is ready, in the background: what the first message to or from another
 * relay would otherwise wait for (docs/benchmarks.md, federation). One DNS question (the
 * relay's own MX, not for IP-only or local names) that starts dnsjava's I/O, a DKIM signature
 * and its verification (the key file, the RSA code), the MIME walker and classifier, the
 * /mxdeliv client started and one POST of it to the relay's own HTTPS port (the TLS handshake
 * and Jetty's request paths on both sides; without an HTTPS port, a TLS handshake in memory).
 * Nothing leaves the machine; what is made on first use stays made on first use, only earlier.
 * A failure only leaves the work to the first message.
 *
 * <p>Cheapest first: a message that comes while the warm-up still runs (it takes several
 * hundred milliseconds of CPU, the handshakes most) then finds the DNS and DKIM ready. Before,
 * the DNS question came last and the client was made by the first delivery: the first message
 * after a restart waited for both (70-320 ms and 100-340 ms at load 7), and for its first
 * connection (TLS on both sides, Jetty's first request: 100-200 ms more).
 */
final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    private WarmUp() {
    }

    /** @param selfHttps this relay's HTTPS listener, null when it has none */
    static Thread start(Config config, TlsContexts tls, DkimSigner signer, DnsResolver dns, RemoteDelivery remote,
            InetSocketAddress selfHttps, MessagePipeline pipeline) {
        String domain = config.mailDomain();
        return Thread.ofVirtual().name("warm-up").start(() -> {
            long t0 = System.nanoTime();
            dns.warmUp();
            if (!config.ipOnly() && !domain.startsWith("_") && !domain.equals("localhost") && !domain.endsWith(".localhost")) {
                // The relay's own MX through dns_resolver: the first lookup starts dnsjava's I/O
                // (its selector, random ports), which took up to a second on a busy machine. On a
                // thread of its own, so a resolver that does not answer yet holds up nothing else.
                Thread.ofVirtual().name("warm-up-dns").start(() -> {
                    try {
                        dns.mx(domain);
                    } catch (DnsTemporaryException e) {
                        // the resolver is not answering yet; the first message will try again
                    }
                });
            }
            signer.warmUp();
            pipeline.warmUp();
            if (selfHttps == null) {
                HandshakeWarmUp.run(tls, domain);
            }
            try {
                remote.warmUp(selfHttps, domain);
            } catch (RuntimeException e) {
                // the first delivery starts the client instead
            }
            log.debug("warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
        });
    }
}
