package chatmail.delivery.inbound;

import chatmail.account.AddressRules;
import chatmail.config.Config;
import chatmail.delivery.LocalDelivery;
import chatmail.delivery.RecipientStatus;
import chatmail.dkim.DkimVerifier;
import chatmail.policy.Direction;
import chatmail.policy.EncryptionPolicy;
import chatmail.policy.HeaderCleanup;
import chatmail.policy.Replies;
import chatmail.metrics.DeliveryPath;
import chatmail.metrics.Metrics;
import chatmail.policy.RefusalReasons;
import chatmail.policy.Reply;
import chatmail.policy.Verdict;
import chatmail.store.Account;
import chatmail.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of {@code POST /mxdeliv} (DLV-4), independent of the HTTP server that
 * mounts it: the same checks as port 25 (local recipients that exist and have room, SMTP-8
 * DKIM, SMTP-9 encryption, SMTP-10 header cleanup), then one atomic delivery. All recipients
 * accepted → {@code 200 "250 2.0.0 Ok"}; otherwise nothing is stored and the answer is
 * {@code 400} with the first permanent SMTP line (naming the recipient when one is the reason),
 * {@code 503} with the line for a temporary problem, {@code 413} when too large, {@code 405}
 * for other methods.
 */
public final class MxDelivReceiver {

    private static final Logger log = LoggerFactory.getLogger(MxDelivReceiver.class);
    static final int MAX_RECIPIENTS = 1000;

    /** @param body the SMTP line (or a short text for 405/413), without line break */
    public record Response(int status, String body) {}

    private final Config config;
    private final AddressRules rules;
    private final LocalDelivery localDelivery;
    private final EncryptionPolicy encryption;
    private final DkimVerifier dkim;

    private final Metrics metrics;

    public MxDelivReceiver(Config config, LocalDelivery localDelivery, EncryptionPolicy encryption, DkimVerifier dkim) {
        this(config, localDelivery, encryption, dkim, new Metrics());
    }

    public MxDelivReceiver(Config config, LocalDelivery localDelivery, EncryptionPolicy encryption, DkimVerifier dkim,
            Metrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.rules = new AddressRules(config);
        this.localDelivery = localDelivery;
        this.encryption = encryption;
        this.dkim = dkim;
    }

    /**
     * @param headers request headers, names in any case, each with all its values
     * @param body the raw message
     */
    public Response handle(String method, Map<String, List<String>> headers, byte[] body) {
        Response response = decide(method, headers, body);
        if (response.status() == 200) {
            metrics.messageDelivered(DeliveryPath.MXDELIV);
        } else {
            RefusalReasons.ofLine(response.body()).ifPresent(metrics::messageRefused);
        }
        return response;
    }

    private Response decide(String method, Map<String, List<String>> headers, byte[] body) {
        if (!"POST".equals(method)) {
            return new Response(405, "Method Not Allowed");
        }
        if (body.length > config.maxMessageSize()) {
            return new Response(413, Replies.TOO_LARGE.line());
        }
        List<String> recipients = values(headers, "X-MAIL-TO");
        if (recipients.isEmpty()) {
            return permanent(new Reply(554, "5.5.1", "No valid recipients"));
        }
        if (recipients.size() > MAX_RECIPIENTS) {
            return temporary(Replies.TOO_MANY_RECIPIENTS);
        }
        List<Account> accounts = new ArrayList<>();
        try {
            for (String recipient : recipients) {
                String address = recipient.strip();
                if (!rules.isLocal(address)) {
                    return permanent(Replies.RELAY_DENIED.withDetail("<" + address + ">"));
                }
                switch (localDelivery.check(address)) {
                    case RecipientStatus.Deliverable d -> accounts.add(d.account());
                    case RecipientStatus.UnknownUser u -> {
                        return permanent(Replies.NO_SUCH_USER.withDetail("<" + address + ">"));
                    }
                    case RecipientStatus.MailboxFull f -> {
                        return permanent(Replies.MAILBOX_FULL.withDetail("<" + address + ">"));
                    }
                }
            }
            Verdict origin = dkim.check(body);
            if (origin.rejection().isPresent()) {
                return answer(origin.rejection().get());
            }
            Verdict encrypted = encryption.check(body, Direction.INCOMING);
            if (encrypted.rejection().isPresent()) {
                return answer(encrypted.rejection().get());
            }
            localDelivery.deliver(HeaderCleanup.incoming(body), accounts);
            return new Response(200, Replies.OK.line());
        } catch (StoreException e) {
            log.error("/mxdeliv delivery failed, answering 503", e);
            return temporary(Replies.LOCAL_FAILURE);
        }
    }

    private static Response answer(Reply reply) {
        return reply.isPermanent() ? permanent(reply) : temporary(reply);
    }

    private static Response permanent(Reply reply) {
        return new Response(400, reply.line());
    }

    private static Response temporary(Reply reply) {
        return new Response(503, reply.line());
    }

    private static List<String> values(Map<String, List<String>> headers, String name) {
        List<String> values = new ArrayList<>();
        for (var entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                for (String v : entry.getValue()) {
                    // A proxy may have joined repeated headers with commas.
                    for (String part : v.split(",")) {
                        if (!part.isBlank()) {
                            values.add(part.strip());
                        }
                    }
                }
            }
        }
        return values;
    }
}
