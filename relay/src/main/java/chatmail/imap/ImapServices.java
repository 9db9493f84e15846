package chatmail.imap;

import chatmail.account.Accounts;
import chatmail.account.LoginThrottle;
import chatmail.config.Config;
import chatmail.store.MailStore;
import chatmail.turn.TurnAnnouncement;
import java.time.Clock;
import java.util.Optional;

/** What every IMAP session shares: configuration and the services right of the session. */
public record ImapServices(
        Config config,
        Clock clock,
        Accounts accounts,
        LoginThrottle loginThrottle,
        MailStore store,
        ServerMetadata serverMetadata,
        ImapLimits limits) {

    /** @param turn the TURN server METADATA announces (SPEC TURN-1); empty: none */
    public static ImapServices create(Config config, Clock clock, Accounts accounts, MailStore store,
                                      Optional<TurnAnnouncement> turn) {
        return new ImapServices(config, clock, accounts, LoginThrottle.standard(clock), store,
                new ServerMetadata(config, clock, turn), ImapLimits.fromConfig(config));
    }
}
