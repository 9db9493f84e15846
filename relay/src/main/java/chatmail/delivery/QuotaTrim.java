package chatmail.delivery;

import chatmail.store.MailStore;
import chatmail.store.MessageRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps a mailbox under its quota (SPEC IMAP-6): after a delivery that brings usage to 75 % or
 * more, the oldest messages go until usage is 70 %, but never one younger than 24 hours.
 */
public final class QuotaTrim {

    static final Duration PROTECTED_AGE = Duration.ofHours(24);

    private final MailStore store;
    private final long quota;
    private final Clock clock;

    public QuotaTrim(MailStore store, long quotaBytes, Clock clock) {
        this.store = store;
        this.quota = quotaBytes;
        this.clock = clock;
    }

    /** Trims the account if needed; returns how many messages were removed. */
    public int afterDelivery(long accountId) {
        long usage = store.usage(accountId);
        if (usage * 100 < quota * 75) {
            return 0;
        }
        long target = quota * 70 / 100;
        Instant youngest = clock.instant().minus(PROTECTED_AGE);
        List<MessageRef> victims = new ArrayList<>();
        for (MessageRef m : store.messagesOldestFirst(accountId)) {
            if (usage <= target || !m.internalDate().isBefore(youngest)) {
                break;
            }
            victims.add(m);
            usage -= m.size();
        }
        if (!victims.isEmpty()) {
            store.delete(victims);
        }
        return victims.size();
    }
}
