package chatmail.expiry;

import chatmail.config.Config;
import chatmail.push.PushNotifier;
import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.MessageRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Deletes what the relay promises not to keep (SPEC EXP-1, ACC-6): every message older than
 * {@code delete_mails_after} days, seen messages over 200 000 bytes older than
 * {@code delete_large_after} days, and accounts without a login for
 * {@code delete_inactive_users_after} days, with all their mail; and push device tokens past
 * their expiry (SEC-9), which no notification uses any more but which would otherwise stay.
 */
public final class Expiry {

    /** The reference relay's threshold for "large" messages. */
    static final long LARGE_MESSAGE_BYTES = 200_000;

    private final Config config;
    private final MailStore store;
    private final Clock clock;
    private final LongConsumer accountDeleted;

    public Expiry(Config config, MailStore store, Clock clock) {
        this(config, store, clock, id -> { });
    }

    /** @param accountDeleted told each deleted account's id, after its deletion (SEC-9: end its sessions) */
    public Expiry(Config config, MailStore store, Clock clock, LongConsumer accountDeleted) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.accountDeleted = accountDeleted;
    }

    public ExpiryReport run(boolean dryRun) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);

        List<Account> inactive = store.accountsLastLoginBefore(today.minusDays(config.deleteInactiveUsersAfter()));

        // A message may match both rules; count it once, under the first.
        Map<String, MessageRef> old = byKey(store.messagesReceivedBefore(now.minus(Duration.ofDays(config.deleteMailsAfter()))));
        Map<String, MessageRef> large = byKey(store.seenMessagesLargerThan(LARGE_MESSAGE_BYTES,
                now.minus(Duration.ofDays(config.deleteLargeAfter()))));
        large.keySet().removeAll(old.keySet());

        long bytes = 0;
        for (MessageRef m : old.values()) bytes += m.size();
        for (MessageRef m : large.values()) bytes += m.size();

        int expiredTokens;
        if (dryRun) {
            expiredTokens = store.expiredMetadataValues(PushNotifier.DEVICE_TOKEN_ENTRY, now);
        } else {
            // Before the accounts: tokens of an inactive account count here, not silently with it.
            expiredTokens = store.deleteExpiredMetadataValues(PushNotifier.DEVICE_TOKEN_ENTRY, now);
            store.delete(old.values());
            store.delete(large.values());
            for (Account a : inactive) {
                store.deleteAccount(a.id());
                accountDeleted.accept(a.id());
            }
        }
        return new ExpiryReport(dryRun, old.size(), large.size(), bytes, inactive.size(), expiredTokens);
    }

    private static Map<String, MessageRef> byKey(List<MessageRef> refs) {
        Map<String, MessageRef> m = new LinkedHashMap<>();
        for (MessageRef r : refs) {
            m.put(r.mailboxId() + "/" + r.uid(), r);
        }
        return m;
    }
}
