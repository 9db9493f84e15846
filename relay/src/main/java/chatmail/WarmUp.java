package chatmail;

import chatmail.config.Config;
import chatmail.delivery.MessagePipeline;
import chatmail.dkim.DkimSigner;
import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import chatmail.tls.HandshakeWarmUp;
import chatmail.tls.TlsContexts;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A moment after the relay is ready, in the background: what the first message to or from
 * another relay would otherwise wait for (docs/benchmarks.md, federation). A TLS handshake in memory
 * (JSSE's first handshake, both sides, and the outbound trust store), a DKIM signature and its
 * verification (the key file, the RSA code), the MIME walker and classifier, and one DNS
 * question (the relay's own MX, not for IP-only or local names) that starts dnsjava's I/O.
 * Nothing else leaves the process; what is made on first use stays made on first use, only
 * earlier. A failure only leaves the work to the first message.
 *
 * <p>It waits {@link #DELAY} first: started at ready, its 0.1-0.3 s of CPU ran beside the first
 * clients' TLS handshakes on 465, 993 and 443 and delayed their answers by 0.3-0.7 s on the
 * two-core machine (docs/decisions.md, "Start-up and memory"). The first clients after a restart
 * are the relay's own users reconnecting; a message to another relay comes later.
 */
final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    static final Duration DELAY = Duration.ofSeconds(1);

    private WarmUp() {
    }

    static Thread start(Config config, TlsContexts tls, DkimSigner signer, DnsResolver dns, MessagePipeline pipeline) {
        String domain = config.mailDomain();
        return Thread.ofVirtual().name("warm-up").start(() -> {
            try {
                Thread.sleep(DELAY);
            } catch (InterruptedException e) {
                return;
            }
            long t0 = System.nanoTime();
            HandshakeWarmUp.run(tls, domain);
            signer.warmUp();
            pipeline.warmUp();
            dns.warmUp();
            if (!config.ipOnly() && !domain.startsWith("_") && !domain.equals("localhost") && !domain.endsWith(".localhost")) {
                try {
                    // The relay's own MX through dns_resolver: the first lookup starts dnsjava's I/O
                    // (its selector, random ports), which took up to a second on a busy machine.
                    dns.mx(domain);
                } catch (DnsTemporaryException e) {
                    // the resolver is not answering yet; the first message will try again
                }
            }
            log.debug("warm-up took {} ms", (System.nanoTime() - t0) / 1_000_000);
        });
    }
}
