package chatmail.smtp;

import chatmail.account.Accounts;
import chatmail.account.LoginThrottle;
import chatmail.config.Config;
import chatmail.delivery.InboundPipeline;
import chatmail.delivery.SubmissionPipeline;
import java.time.Clock;

/**
 * What every SMTP session shares: configuration, logins, and the two pipelines the sessions
 * adapt their protocol to (submission on 465/587/443, inbound on 25).
 */
public record SmtpServices(
        Config config,
        Clock clock,
        Accounts accounts,
        LoginThrottle loginThrottle,
        SubmissionPipeline submission,
        InboundPipeline inbound) {

    public static SmtpServices create(Config config, Clock clock, Accounts accounts, SubmissionPipeline submission,
            InboundPipeline inbound) {
        return new SmtpServices(config, clock, accounts, LoginThrottle.standard(clock), submission, inbound);
    }
}
