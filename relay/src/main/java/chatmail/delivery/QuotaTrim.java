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

    /** References read per page: a trim usually takes a few, and an account may hold very many. */
    static final int PAGE = 200;

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
        int removed = 0;
        MessageRef after = null;
        while (true) {
            List<MessageRef> page = store.messagesOldestFirst(accountId, after, PAGE);
            List<MessageRef> victims = new ArrayList<>();
            boolean done = page.size() < PAGE;
            for (MessageRef m : page) {
                if (usage <= target || !m.internalDate().isBefore(youngest)) {
                    done = true;
                    break;
                }
                victims.add(m);
                usage -= m.size();
            }
            if (!victims.isEmpty()) {
                store.delete(victims);
                removed += victims.size();
            }
            if (done) {
                return removed;
            }
            after = page.getLast();
        }
    }
}
