package chatmail.delivery;

import chatmail.account.AddressRules;
import chatmail.config.Config;
import chatmail.dkim.DkimVerifier;
import chatmail.metrics.DeliveryPath;
import chatmail.metrics.Metrics;
import chatmail.metrics.Refusal;
import chatmail.mime.ParseLimitException;
import chatmail.policy.Direction;
import chatmail.policy.EncryptionPolicy;
import chatmail.policy.HeaderCleanup;
import chatmail.policy.Replies;
import chatmail.policy.Reply;
import chatmail.policy.Verdict;
import chatmail.spool.BodySpool;
import chatmail.spool.SpoolWriter;
import chatmail.spool.SpooledBody;
import chatmail.store.Account;
import chatmail.store.StoreException;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail from other servers for local users, the same for port 25 and {@code POST /mxdeliv}
 * (DLV-4): recipients first (no open relay, SMTP-7; unknown or full refused, SMTP-4), then the
 * body from the spool, parsed once within the SEC-4 caps, the origin check (SMTP-8), the
 * encryption policy (SMTP-9), header cleanup (SMTP-10) and one durable delivery to all
 * recipients (SMTP-13).
 */
public final class InboundPipeline extends MessagePipeline {

    private static final Logger log = LoggerFactory.getLogger(InboundPipeline.class);

    private final AddressRules rules;
    private final LocalDelivery localDelivery;
    private final DkimVerifier dkim;

    public InboundPipeline(Config config, BodySpool spool, Metrics metrics, LocalDelivery localDelivery, DkimVerifier dkim) {
        super(config, spool, metrics);
        this.rules = new AddressRules(config);
        this.localDelivery = localDelivery;
        this.dkim = dkim;
    }

    /** One recipient: a local account with room, or the refusal (counted). */
    public RecipientCheck recipient(String address) {
        if (!rules.isLocal(address)) {
            return new RecipientCheck.Refused(refuse(Refusal.RELAY_DENIED, Replies.RELAY_DENIED));
        }
        RecipientStatus status;
        try {
            status = localDelivery.check(address);
        } catch (StoreException e) {
            log.error("recipient check failed", e);
            return new RecipientCheck.Refused(refuse(Refusal.TEMP_LOCAL, Replies.LOCAL_FAILURE));
        }
        return switch (status) {
            case RecipientStatus.Deliverable d -> new RecipientCheck.Local(d.account());
            case RecipientStatus.UnknownUser u -> new RecipientCheck.Refused(refuse(Refusal.UNKNOWN_USER, Replies.NO_SUCH_USER));
            case RecipientStatus.MailboxFull f -> new RecipientCheck.Refused(refuse(Refusal.QUOTA, Replies.MAILBOX_FULL));
        };
    }

    /**
     * Checks and delivers a message whose body arrived into {@code body} (from
     * {@link #newBody()}); closes it. Returns {@code 250} once the message is durably stored.
     */
    public Reply accept(DeliveryPath path, List<Account> recipients, SpoolWriter body) {
        try (body) {
            if (body.tooLarge()) {
                return refuse(Refusal.TOO_LARGE, Replies.TOO_LARGE);
            }
            try (SpooledBody message = body.finish()) {
                return check(path, recipients, message);
            }
        } catch (StoreException | IOException | java.io.UncheckedIOException e) {
            log.error("inbound delivery failed, answering 451", e);
            return refuse(Refusal.TEMP_LOCAL, Replies.LOCAL_FAILURE);
        }
    }

    private Reply check(DeliveryPath path, List<Account> recipients, SpooledBody message) throws IOException {
        ParsedMessage parsed;
        try {
            parsed = ParsedMessage.parse(message, classifier);
        } catch (ParseLimitException e) {
            return refuse(Refusal.TOO_LARGE, ParsedMessage.refusal(e));
        }
        Verdict origin = dkim.check(parsed.header(), message);
        if (origin.rejection().isPresent()) {
            return refuse(dkimRefusal(origin.rejection().get()), origin.rejection().get());
        }
        Verdict encrypted = EncryptionPolicy.verdict(parsed.kind(), Direction.INCOMING);
        if (encrypted.rejection().isPresent()) {
            return refuse(Refusal.NOT_ENCRYPTED, encrypted.rejection().get());
        }
        try (SpooledBody cleaned = rewriteHeader(message, parsed.header(), HeaderCleanup::incoming)) {
            localDelivery.deliver(cleaned, recipients);
        }
        metrics.messageDelivered(path);
        return Replies.OK;
    }
}
