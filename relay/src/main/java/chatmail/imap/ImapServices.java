package chatmail.imap;

import chatmail.account.Accounts;
import chatmail.account.LoginThrottle;
import chatmail.config.Config;
import chatmail.metrics.DeliveryLatency;
import chatmail.store.MailStore;
import java.time.Clock;

/** What every IMAP session shares: configuration and the services right of the session. */
public record ImapServices(
        Config config,
        Clock clock,
        Accounts accounts,
        LoginThrottle loginThrottle,
        MailStore store,
        ServerMetadata serverMetadata,
        ImapLimits limits,
        IdleSessions idleSessions,
        DeliveryLatency latency) {

    public static ImapServices create(Config config, Clock clock, Accounts accounts, MailStore store) {
        return create(config, clock, accounts, store, DeliveryLatency.unmeasured());
    }

    /** @param latency told when an IDLE session reports new mail (end of DATA to {@code EXISTS}) */
    public static ImapServices create(Config config, Clock clock, Accounts accounts, MailStore store,
            DeliveryLatency latency) {
        return new ImapServices(config, clock, accounts, LoginThrottle.standard(clock), store,
                new ServerMetadata(config, clock), ImapLimits.fromConfig(config), new IdleSessions(), latency);
    }
}
