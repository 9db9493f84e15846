package chatmail.smtp;

import chatmail.account.Accounts;
import chatmail.account.LoginThrottle;
import chatmail.config.Config;
import chatmail.delivery.BounceBuilder;
import chatmail.delivery.LocalDelivery;
import chatmail.delivery.outbound.OutboundDelivery;
import chatmail.dkim.DkimSigner;
import chatmail.dkim.DkimVerifier;
import chatmail.metrics.Metrics;
import chatmail.policy.EncryptionPolicy;
import chatmail.policy.RateLimiter;
import java.time.Clock;

/** What every SMTP session shares: configuration and the services right of the session. */
public record SmtpServices(
        Config config,
        Clock clock,
        Accounts accounts,
        LoginThrottle loginThrottle,
        LocalDelivery localDelivery,
        EncryptionPolicy encryption,
        RateLimiter rateLimiter,
        BounceBuilder bounces,
        DkimSigner dkimSigner,
        DkimVerifier dkimVerifier,
        OutboundDelivery outbound,
        Metrics metrics) {

    public static SmtpServices create(Config config, Clock clock, Accounts accounts, LocalDelivery localDelivery,
            DkimSigner dkimSigner, DkimVerifier dkimVerifier, OutboundDelivery outbound) {
        return create(config, clock, accounts, localDelivery, dkimSigner, dkimVerifier, outbound, new Metrics());
    }

    public static SmtpServices create(Config config, Clock clock, Accounts accounts, LocalDelivery localDelivery,
            DkimSigner dkimSigner, DkimVerifier dkimVerifier, OutboundDelivery outbound, Metrics metrics) {
        return new SmtpServices(config, clock, accounts, LoginThrottle.standard(clock), localDelivery,
                new EncryptionPolicy(), RateLimiter.fromConfig(config, clock),
                new BounceBuilder(config.addressDomain(), clock), dkimSigner, dkimVerifier, outbound, metrics);
    }
}
