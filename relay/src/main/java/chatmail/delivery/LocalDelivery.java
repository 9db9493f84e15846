package chatmail.delivery;

import chatmail.account.AddressRules;
import chatmail.config.Config;
import chatmail.metrics.DeliveryLatency;
import chatmail.store.Acceptance;
import chatmail.store.Account;
import chatmail.store.Committed;
import chatmail.store.DeliveryTarget;
import chatmail.store.MailStore;
import chatmail.store.MessageBody;
import chatmail.store.NewMessage;
import chatmail.store.QueuedCopy;
import chatmail.store.StoredMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        var found = store.findAccountWithUsage(AddressRules.normalize(address));
        if (found.isEmpty()) {
            return new RecipientStatus.UnknownUser();
        }
        Account account = found.get().account();
        long id = account.id();
        if (found.get().usage() >= config.maxMailboxSize()
                && (trim.afterDelivery(id) == 0 || store.usage(id) >= config.maxMailboxSize())) {
            return new RecipientStatus.MailboxFull(account);
        }
        return new RecipientStatus.Deliverable(account);
    }

    /**
     * Stores the message in each account's INBOX, durably, in one commit. Every recipient is told
     * of new mail (a bounce in the sender's own INBOX is news to them too).
     */
    public List<StoredMessage> deliver(byte[] message, List<Account> recipients) {
        return deliver(MessageBody.of(message), recipients);
    }

    /** As {@link #deliver(byte[], List)}, for a spooled body (the store may take its file over). */
    public List<StoredMessage> deliver(MessageBody message, List<Account> recipients) {
        return deliver(message, recipients, "INBOX", Set.of());
    }

    /**
     * Stores a message a local user submitted. The copy in the submitter's own INBOX (Delta Chat
     * sends itself a copy for its other devices) is not news to them: it wakes none of their
     * devices (PUSH-1).
     */
    public List<StoredMessage> deliverSubmitted(byte[] message, List<Account> recipients, Account submitter) {
        return commitSubmitted(MessageBody.of(message), recipients, submitter, Optional.empty(), Optional.empty())
                .copies().getFirst();
    }

    /**
     * Everything a submission puts into the store, in one durable commit (SMTP-13): the local
     * copies, a bounce for the submitter about recipients that cannot get it, and the queue
     * entry for remote recipients. A crash leaves all of it or none, so the client's retry after
     * an error neither loses the local copy nor sends the remote one twice.
     *
     * @param bounce a DSN for the submitter, or empty
     * @param queued the copy for remote recipients, or empty
     * @return what the commit stored: first the local copies of the message, and the queue entries
     */
    public Committed commitSubmitted(MessageBody message, List<Account> recipients, Account submitter,
            Optional<MessageBody> bounce, Optional<QueuedCopy> queued) {
        Instant now = clock.instant();
        Map<Long, Account> unique = unique(recipients);
        List<Acceptance.Copy> copies = new ArrayList<>();
        List<DeliveryTarget> local = targets(unique.values(), "INBOX", Set.of());
        copies.add(new Acceptance.Copy(new NewMessage(message, now), local));
        bounce.ifPresent(dsn -> copies.add(new Acceptance.Copy(new NewMessage(dsn, now),
                targets(List.of(submitter), "INBOX", Set.of()))));
        Committed stored = timed(local, () -> store.commit(new Acceptance(copies, queued)));
        List<Account> told = new ArrayList<>(unique.values().stream().filter(a -> a.id() != submitter.id()).toList());
        List<Account> delivered = new ArrayList<>(unique.values());
        if (bounce.isPresent()) {
            told.add(submitter);
            if (!unique.containsKey(submitter.id())) {
                delivered.add(submitter);
            }
        }
        afterCommit(told, delivered);
        return stored;
    }

    public List<StoredMessage> deliver(byte[] message, List<Account> recipients, String mailboxName, Set<String> flags) {
        return deliver(MessageBody.of(message), recipients, mailboxName, flags);
    }

    public List<StoredMessage> deliver(MessageBody message, List<Account> recipients, String mailboxName, Set<String> flags) {
        Map<Long, Account> unique = unique(recipients);
        List<DeliveryTarget> targets = targets(unique.values(), mailboxName, flags);
        if (targets.isEmpty()) {
            return List.of();
        }
        List<StoredMessage> stored = timed(targets, () -> store.deliver(new NewMessage(message, clock.instant()), targets));
        afterCommit(List.copyOf(unique.values()), unique.values());
        return stored;
    }

    /**
     * Runs a commit into these mailboxes, timed from the end of the message's DATA (OPS-3); the
     * mailboxes wait for the EXISTS their IDLE sessions write, which is timed too.
     */
    private <T> T timed(List<DeliveryTarget> targets, java.util.function.Supplier<T> commit) {
        long start = DeliveryLatency.start();
        List<Long> mailboxIds = targets.stream().map(DeliveryTarget::mailboxId).toList();
        latency.delivering(start, mailboxIds);
        T result;
        try {
            result = commit.get();
        } catch (RuntimeException e) {
            latency.failed(start, mailboxIds);
            throw e;
        }
        latency.committed(start);
        return result;
    }

    private static Map<Long, Account> unique(List<Account> recipients) {
        Map<Long, Account> unique = new LinkedHashMap<>();
        for (Account a : recipients) {
            unique.putIfAbsent(a.id(), a);
        }
        return unique;
    }

    private List<DeliveryTarget> targets(Collection<Account> accounts, String mailboxName, Set<String> flags) {
        List<DeliveryTarget> targets = new ArrayList<>();
        for (Account a : accounts) {
            targets.add(new DeliveryTarget(store.deliveryMailboxId(a.id(), mailboxName), flags));
        }
        return targets;
    }

    /** Push for those who got news, then the quota trim of everyone who got mail. */
    private void afterCommit(List<Account> told, Collection<Account> delivered) {
        if (!told.isEmpty()) {
            try {
                listener.newMail(told);
            } catch (RuntimeException e) {
                // The mail is committed; answering with a failure now would make the sender retry and duplicate it.
                log.error("new-mail listener failed for {} account(s)", told.size(), e);
            }
        }
        for (Account a : delivered) {
            trim.afterDelivery(a.id());
        }
    }
}
