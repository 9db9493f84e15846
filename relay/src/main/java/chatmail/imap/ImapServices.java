package chatmail.imap;

import chatmail.account.Accounts;
import chatmail.config.Config;
import chatmail.limits.ClientLimits;
import chatmail.spool.BodySpool;
import chatmail.store.MailStore;
import java.time.Clock;

/** What every IMAP session shares: configuration and the services right of the session. */
public record ImapServices(
        Config config,
        Clock clock,
        Accounts accounts,
        ClientLimits clientLimits,
        MailStore store,
        ServerMetadata serverMetadata,
        ImapLimits limits,
        BodySpool spool) {

    /** @param spool where APPEND messages arrive (SEC-1) */
    public static ImapServices create(Config config, Clock clock, Accounts accounts, MailStore store, BodySpool spool,
            ClientLimits clientLimits) {
        return new ImapServices(config, clock, accounts, clientLimits, store,
                new ServerMetadata(config, clock), ImapLimits.fromConfig(config), spool);
    }
}
