package chatmail.store;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the relay keeps: accounts, mailboxes, messages and their flags.
 * Every method blocks until its work is done; a method that changes data returns only
 * after the change is committed to stable storage. Implementations are thread-safe and
 * may be called from virtual threads. Failures are reported as {@link StoreException}.
 *
 * <p>Mailbox changes are announced through {@link #events()} after their commit.
 */
public interface MailStore extends AutoCloseable {

    // ---- accounts

    Optional<Account> findAccount(String address);

    /**
     * The account with this address and its {@link #usage}: what a recipient check needs (SMTP-4).
     * A store whose reads are round trips answers both with one.
     */
    default Optional<AccountUsage> findAccountWithUsage(String address) {
        return findAccount(address).map(account -> new AccountUsage(account, usage(account.id())));
    }

    /**
     * The account with this address and its login verifier under {@code verifierKeyId}, in one
     * read: a login whose verifier matches needs nothing else from the store.
     */
    Optional<LoginRecord> findLogin(String address, long verifierKeyId);

    /**
     * Stores the account's login verifier under {@code verifierKeyId}, replacing the one stored
     * under that key; verifiers under other keys (other nodes) stay. Goes with the account.
     */
    void saveLoginVerifier(long accountId, long verifierKeyId, byte[] verifier);

    /**
     * Creates the account unless one with this address exists, and returns the stored one.
     * Concurrent calls for one address leave exactly one account; the caller compares the
     * returned hash to learn whether its own insert won. Creates the INBOX too.
     */
    Account createAccountIfAbsent(String address, String passwordHash, LocalDate today);

    /** Records a login on {@code day}; cheap when the day is already recorded. */
    void recordLogin(long accountId, LocalDate day);

    /** Accounts whose last login is before {@code day}, in id order after {@code afterId}; at most {@code limit}. */
    List<Account> accountsLastLoginBefore(LocalDate day, long afterId, int limit);

    /** Deletes the account with all its mailboxes, messages and metadata. */
    void deleteAccount(long accountId);

    long accountCount();

    /** Accounts, recent logins, messages and bytes stored, as of {@code today}. */
    StoreStatistics statistics(LocalDate today);

    // ---- mailboxes

    List<Mailbox> mailboxes(long accountId);

    Optional<Mailbox> mailbox(long accountId, String name);

    /** Creates the mailbox if it does not exist and returns it. */
    Mailbox createMailbox(long accountId, String name);

    /**
     * The id of the account's mailbox with this name, created if it does not exist: where a
     * delivery goes. Mailboxes are never renamed or deleted but with their account, so a store
     * whose reads are round trips may remember it.
     */
    default long deliveryMailboxId(long accountId, String name) {
        return mailbox(accountId, name).orElseGet(() -> createMailbox(accountId, name)).id();
    }

    // ---- messages

    /**
     * Stores one message into every target (all in one commit) and returns after that
     * commit is durable. Concurrent deliveries may share a commit.
     */
    default List<StoredMessage> deliver(NewMessage message, List<DeliveryTarget> targets) {
        if (targets.isEmpty()) {
            return List.of();
        }
        return commit(new Acceptance(List.of(new Acceptance.Copy(message, targets)), Optional.empty())).copies().getFirst();
    }

    /**
     * Stores every copy and queues the outbound copy of an accepted message in one commit and
     * returns after it is durable; the result has the stored messages of each copy, in order,
     * and the ids of the queue entries (claimed as {@link QueuedCopy#claimedUntil()} says).
     * A spooled body may be taken over (renamed) by the store.
     */
    Committed commit(Acceptance acceptance);

    /** The mailbox's current state with every message in UID order. */
    MailboxSnapshot snapshot(long mailboxId);

    /**
     * The messages added or changed after {@code modseq} (a HIGHESTMODSEQ the caller read), or
     * empty when messages may have been expunged since, or the store cannot tell: then the
     * caller reads the {@link #snapshot}. What an IDLE session re-reads after each delivery, so a
     * store whose rows cost a round trip's bytes reads only the new ones.
     */
    default Optional<MailboxChanges> changesSince(long mailboxId, long modseq) {
        return Optional.empty();
    }

    /** The raw RFC 5322 bytes of one message, whole: for small messages and tests. */
    byte[] content(long mailboxId, long uid) throws IOException;

    /**
     * The raw bytes of one message, opened to be streamed in bounded pieces (IMAP FETCH); the
     * caller closes it. A missing message is a {@link StoreException}.
     */
    StoredContent open(long mailboxId, long uid) throws IOException;

    /** Changes flags; returns the messages whose flags changed, with their new modseq. */
    List<MessageInfo> updateFlags(long mailboxId, Collection<Long> uids, FlagUpdate update, Set<String> flags);

    /** Removes these messages; returns the UIDs that were removed. */
    List<Long> expunge(long mailboxId, Collection<Long> uids);

    /** Copies messages; returns the new messages in the order of {@code uids}. */
    List<StoredMessage> copy(long fromMailboxId, Collection<Long> uids, long toMailboxId);

    /** Sum of the sizes of all messages of the account, in bytes. */
    long usage(long accountId);

    // ---- expiry and the quota trim
    //
    // Each returns one page of at most {@code limit} references, oldest first (ties in an order
    // the store keeps stable), starting after {@code after}: the last reference of the previous
    // page, or null for the first. The caller's memory and each call's work stay bounded however
    // much matches, and deleting what a page returned does not disturb the next page.

    /** Messages (of any account) received before {@code cutoff}. */
    List<MessageRef> messagesReceivedBefore(Instant cutoff, MessageRef after, int limit);

    /** Seen messages larger than {@code minSize} bytes received before {@code cutoff}. */
    List<MessageRef> seenMessagesLargerThan(long minSize, Instant cutoff, MessageRef after, int limit);

    /** The messages of one account, for the quota trim and for deleting an account piecewise. */
    List<MessageRef> messagesOldestFirst(long accountId, MessageRef after, int limit);

    /**
     * Deletes the given messages (as expunge does, with events) in one write; callers keep
     * batches small so the write shares the writer with deliveries instead of holding it.
     */
    void delete(Collection<MessageRef> messages);

    /**
     * Deletes the first of the given messages as {@link #delete} does, as work that yields to
     * every other write (the expiry's): the store may take fewer than all of them, as many as
     * fit in a short write that no delivery shares; returns how many of the first it handled, at
     * least one. The caller passes the rest again.
     */
    default int deleteYielding(List<MessageRef> messages) {
        delete(messages);
        return messages.size();
    }

    // ---- metadata (RFC 5464)

    /**
     * Adds {@code value} to an account-wide metadata entry that holds several values (one push
     * device token per device), or renews its expiry when the value is already there. At most
     * {@code maxValues} values are kept: the least recently set go first. Expired values of the
     * entry are removed on the way.
     */
    void addMetadataValue(long accountId, String entry, String value, Instant expiresAt, int maxValues);

    /** The values of an account-wide entry not expired at {@code now}, least recently set first. */
    List<String> metadataValues(long accountId, String entry, Instant now);

    /** Removes one value of an entry (for example a device token the push service rejects). */
    void removeMetadataValue(long accountId, String entry, String value);

    /** Removes every value of an entry (SETMETADATA with NIL). */
    void clearMetadata(long accountId, String entry);

    // ---- import (MIG-1): another server's state, kept as it was there
    //
    // For `chatmail import-reference` (chatmail.migrate), which runs while no relay serves the
    // data. Every method is idempotent: running an import again adds only what is new.

    /**
     * Creates the account with a password hash, creation day and last-login day taken from the
     * old server (with its INBOX) unless the address exists; for an existing account only moves
     * the last login forward. Returns the stored account: a caller compares its hash to learn
     * whether it is the one it imported.
     */
    Account importAccount(String address, String passwordHash, LocalDate created, LocalDate lastLogin);

    /**
     * Makes the mailbox exist with the old server's UIDVALIDITY and a UIDNEXT of at least
     * {@code uidNext} (raising, never lowering it). A mailbox that already exists keeps its own
     * UIDVALIDITY: the returned mailbox tells which one it has, and nothing is changed when it
     * differs from {@code uidValidity}.
     */
    Mailbox importMailbox(long accountId, String name, long uidValidity, long uidNext);

    /**
     * Stores messages under the UIDs they had on the old server, in one commit, skipping every
     * UID the mailbox already holds; UIDNEXT rises above the highest UID stored. A message with a
     * MODSEQ keeps it (HIGHESTMODSEQ rises to it); the others share one new MODSEQ. Returns the
     * UIDs stored, in ascending order.
     */
    List<Long> importMessages(long mailboxId, List<ImportedMessage> messages);

    /**
     * Raises the mailbox's HIGHESTMODSEQ to at least {@code highestModseq} (never lowers it), for
     * a mailbox moved with its MODSEQs: a client that synced up to the old value must never see a
     * lower one under the same UIDVALIDITY (RFC 7162).
     */
    void importHighestModseq(long mailboxId, long highestModseq);

    /**
     * Adds a value of an account-wide entry with the time it was last set on the old server
     * (a device token and its last SETMETADATA), as {@link #addMetadataValue} does at that time.
     */
    void importMetadataValue(long accountId, String entry, String value, Instant setAt, Instant expiresAt,
                             int maxValues);

    /** How many values of {@code entry}, over all accounts, had expired at {@code now}. */
    int expiredMetadataValues(String entry, Instant now);

    /**
     * Deletes at most {@code limit} values of {@code entry}, over all accounts, expired at
     * {@code now}; returns how many went (fewer than {@code limit}: none are left). The expiry
     * calls it in batches, so one write never holds the writer for all of a day's tokens.
     */
    int deleteExpiredMetadataValues(String entry, Instant now, int limit);

    MailboxEvents events();

    @Override
    void close();

    enum FlagUpdate { ADD, REMOVE, REPLACE }
}
