package chatmail.smtp;

import chatmail.account.Accounts;
import chatmail.config.Config;
import chatmail.delivery.BounceBuilder;
import chatmail.delivery.LocalDelivery;
import chatmail.delivery.outbound.OutboundDelivery;
import chatmail.dkim.DkimSigner;
import chatmail.dkim.DkimVerifier;
import chatmail.limits.ClientLimits;
import chatmail.policy.EncryptionPolicy;
import chatmail.policy.RateLimiter;
import java.time.Clock;

/** What every SMTP session shares: configuration and the services right of the session. */
public record SmtpServices(
        Config config,
        Clock clock,
        Accounts accounts,
        ClientLimits limits,
        LocalDelivery localDelivery,
        EncryptionPolicy encryption,
        RateLimiter rateLimiter,
        BounceBuilder bounces,
        DkimSigner dkimSigner,
        DkimVerifier dkimVerifier,
        OutboundDelivery outbound) {

    public static SmtpServices create(Config config, Clock clock, Accounts accounts, LocalDelivery localDelivery,
            DkimSigner dkimSigner, DkimVerifier dkimVerifier, OutboundDelivery outbound, ClientLimits limits) {
        return new SmtpServices(config, clock, accounts, limits, localDelivery,
                new EncryptionPolicy(), RateLimiter.fromConfig(config, clock),
                new BounceBuilder(config.addressDomain(), clock), dkimSigner, dkimVerifier, outbound);
    }
}
