package chatmail.imap;

import chatmail.account.Accounts;
import chatmail.config.Config;
import chatmail.limits.ClientLimits;
import chatmail.metrics.DeliveryLatency;
import chatmail.spool.BodySpool;
import chatmail.store.MailStore;
import chatmail.turn.TurnAnnouncement;
import java.time.Clock;
import java.util.Optional;

/** What every IMAP session shares: configuration and the services right of the session. */
public record ImapServices(
        Config config,
        Clock clock,
        Accounts accounts,
        ClientLimits clientLimits,
        MailStore store,
        ServerMetadata serverMetadata,
        ImapLimits limits,
        BodySpool spool,
        IdleSessions idleSessions,
        DeliveryLatency latency) {

    /**
     * @param spool where APPEND messages arrive (SEC-1)
     * @param latency told when an IDLE session reports new mail (end of DATA to {@code EXISTS})
     * @param turn the TURN server METADATA announces (SPEC TURN-1); empty: none
     */
    public static ImapServices create(Config config, Clock clock, Accounts accounts, MailStore store, BodySpool spool,
            ClientLimits clientLimits, DeliveryLatency latency, Optional<TurnAnnouncement> turn) {
        return new ImapServices(config, clock, accounts, clientLimits, store,
                new ServerMetadata(config, clock, turn), ImapLimits.fromConfig(config), spool, new IdleSessions(), latency);
    }

    /** Without our own TURN server or latency metrics (tests that build IMAP alone). */
    public static ImapServices create(Config config, Clock clock, Accounts accounts, MailStore store, BodySpool spool,
            ClientLimits clientLimits) {
        return create(config, clock, accounts, store, spool, clientLimits, DeliveryLatency.unmeasured(), Optional.empty());
    }
}
