package chatmail.delivery;

import chatmail.account.AddressRules;
import chatmail.config.Config;
import chatmail.metrics.DeliveryLatency;
import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.NewMessage;
import chatmail.store.StoredMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts accepted mail into local INBOXes: one atomic, durable commit for all recipients of a
 * message (SPEC SMTP-4, SMTP-13), then the quota trim of each recipient (IMAP-6).
 */
public final class LocalDelivery {

    private static final Logger log = LoggerFactory.getLogger(LocalDelivery.class);

    /**
     * Told about every committed delivery, with the accounts that got new mail (the push
     * notifier). Called on the delivering thread after the commit; the delivery stands whatever
     * the listener does.
     */
    @FunctionalInterface
    public interface NewMailListener {
        void newMail(List<Account> accounts);
    }

    private final Config config;
    private final MailStore store;
    private final Clock clock;
    private final QuotaTrim trim;
    private final NewMailListener listener;
    private final DeliveryLatency latency;

    public LocalDelivery(Config config, MailStore store, Clock clock) {
        this(config, store, clock, accounts -> { });
    }

    public LocalDelivery(Config config, MailStore store, Clock clock, NewMailListener listener) {
        this(config, store, clock, listener, DeliveryLatency.unmeasured());
    }

    public LocalDelivery(Config config, MailStore store, Clock clock, NewMailListener listener, DeliveryLatency latency) {
        this.latency = latency;
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.trim = new QuotaTrim(store, config.maxMailboxSize(), clock);
        this.listener = listener;
    }

    /**
     * Whether mail for this address can be accepted now. A mailbox at or over its quota is first
     * trimmed as after a delivery: otherwise messages that filled it within a day would keep it
     * full, and refusing everything, long after they became old enough to go.
     */
    public RecipientStatus check(String address) {
        var account = store.findAccount(AddressRules.normalize(address));
        if (account.isEmpty()) {
            return new RecipientStatus.UnknownUser();
        }
        long id = account.get().id();
        if (store.usage(id) >= config.maxMailboxSize()
                && (trim.afterDelivery(id) == 0 || store.usage(id) >= config.maxMailboxSize())) {
            return new RecipientStatus.MailboxFull(account.get());
        }
        return new RecipientStatus.Deliverable(account.get());
    }

    /**
     * Stores the message in each account's INBOX, durably, in one commit. Every recipient is told
     * of new mail (a bounce in the sender's own INBOX is news to them too).
     */
    public List<StoredMessage> deliver(byte[] message, List<Account> recipients) {
        return deliver(message, recipients, "INBOX", Set.of(), null);
    }

    /**
     * Stores a message a local user submitted. The copy in the submitter's own INBOX (Delta Chat
     * sends itself a copy for its other devices) is not news to them: it wakes none of their
     * devices (PUSH-1).
     */
    public List<StoredMessage> deliverSubmitted(byte[] message, List<Account> recipients, Account submitter) {
        return deliver(message, recipients, "INBOX", Set.of(), submitter);
    }

    public List<StoredMessage> deliver(byte[] message, List<Account> recipients, String mailboxName, Set<String> flags) {
        return deliver(message, recipients, mailboxName, flags, null);
    }

    private List<StoredMessage> deliver(byte[] message, List<Account> recipients, String mailboxName, Set<String> flags,
            Account submitter) {
        long start = DeliveryLatency.start();
        Map<Long, Account> unique = new LinkedHashMap<>();
        for (Account a : recipients) {
            unique.putIfAbsent(a.id(), a);
        }
        List<DeliveryTarget> targets = new ArrayList<>();
        for (Account a : unique.values()) {
            Mailbox box = store.mailbox(a.id(), mailboxName).orElseGet(() -> store.createMailbox(a.id(), mailboxName));
            targets.add(new DeliveryTarget(box.id(), flags));
        }
        if (targets.isEmpty()) {
            return List.of();
        }
        List<Long> mailboxIds = targets.stream().map(DeliveryTarget::mailboxId).toList();
        latency.delivering(start, mailboxIds);
        List<StoredMessage> stored;
        try {
            stored = store.deliver(new NewMessage(message, clock.instant()), targets);
        } catch (RuntimeException e) {
            latency.failed(start, mailboxIds);
            throw e;
        }
        latency.committed(start);
        List<Account> told = unique.values().stream().filter(a -> submitter == null || a.id() != submitter.id()).toList();
        if (!told.isEmpty()) {
            try {
                listener.newMail(told);
            } catch (RuntimeException e) {
                // The mail is committed; answering with a failure now would make the sender retry and duplicate it.
                log.error("new-mail listener failed for {} account(s)", told.size(), e);
            }
        }
        for (Account a : unique.values()) {
            trim.afterDelivery(a.id());
        }
        return stored;
    }
}
