package chatmail.smtp;

import chatmail.account.Accounts;
import chatmail.config.Config;
import chatmail.delivery.InboundPipeline;
import chatmail.delivery.SubmissionPipeline;
import chatmail.limits.ClientLimits;
import java.time.Clock;

/**
 * What every SMTP session shares: configuration, logins, and the two pipelines the sessions
 * adapt their protocol to (submission on 465/587/443, inbound on 25).
 */
public record SmtpServices(
        Config config,
        Clock clock,
        Accounts accounts,
        ClientLimits limits,
        SubmissionPipeline submission,
        InboundPipeline inbound) {

    public static SmtpServices create(Config config, Clock clock, Accounts accounts, SubmissionPipeline submission,
            InboundPipeline inbound, ClientLimits limits) {
        return new SmtpServices(config, clock, accounts, limits, submission, inbound);
    }
}
