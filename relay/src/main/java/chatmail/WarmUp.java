package chatmail;

import chatmail.config.Config;
import chatmail.delivery.MessagePipeline;
import chatmail.delivery.outbound.RemoteDelivery;
import chatmail.dkim.DkimSigner;
import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import chatmail.tls.HandshakeWarmUp;
import chatmail.tls.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the relay is ready, in the background: what the first message to or from another
 * relay would otherwise wait for (docs/benchmarks.md, federation). One DNS question (the
 * relay's own MX, not for IP-only or local names) that starts dnsjava's I/O, the /mxdeliv
 * client started (it connects nowhere), a TLS handshake in memory (JSSE's first handshake, both
 * sides, and the outbound trust store), a DKIM signature and its verification (the key file,
 * the RSA code), and the MIME walker and classifier. Nothing else leaves the process; what is
 * made on first use stays made on first use, only earlier. A failure only leaves the work to
 * the first message.
 *
 * <p>Cheapest first: a message that comes while the warm-up still runs (it takes several
 * hundred milliseconds of CPU, the handshake most) then finds the DNS and the client ready.
 * Before, the DNS question came last and the client was made by the first delivery: the first
 * message after a restart waited for both (70-320 ms and 100-340 ms at load 7).
 */
final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    private WarmUp() {
    }

    static Thread start(Config config, TlsContexts tls, DkimSigner signer, DnsResolver dns, RemoteDelivery remote,
            MessagePipeline pipeline) {
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
            try {
                remote.warmUp();
            } catch (RuntimeException e) {
                // the first delivery starts the client instead
            }
            HandshakeWarmUp.run(tls, domain);
            signer.warmUp();
            pipeline.warmUp();
            log.debug("warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
        });
    }
}
