package chatmail.bench;

import chatmail.store.MailStore;
import chatmail.store.MailboxEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches recipients of a relay running in this process through its store's committed-change
 * events: the instant the commit is announced, which is what an IDLE session would then write.
 * Only for when the relay has no IMAP listener; it leaves out the IMAP session's own share.
 */
public final class StoreEventWatch implements DeliveryWatch {
    private final BenchTarget target;
    private final MailStore store;
    private final List<MailboxEvents.Subscription> subscriptions = new ArrayList<>();

    public StoreEventWatch(BenchTarget target, MailStore store) {
        this.target = target;
        this.store = store;
    }

    @Override
    public void start(DeliveryTracker tracker) throws IOException {
        for (int r = 0; r < tracker.recipients(); r++) {
            String address = target.address(r);
            long accountId = store.findAccount(address)
                    .orElseThrow(() -> new IOException("account " + address + " was not created by its login"))
                    .id();
            int recipient = r;
            subscriptions.add(store.events().subscribe(accountId, event -> {
                if (event instanceof MailboxEvents.MessagesAdded added) {
                    tracker.arrived(recipient, added.uids().size(), System.nanoTime());
                }
            }));
            tracker.watching(r, 0);
        }
    }

    @Override
    public String description() {
        return "store commit events in process (no IMAP listener yet)";
    }

    @Override
    public long failures() {
        return 0;
    }

    @Override
    public void close() {
        subscriptions.forEach(MailboxEvents.Subscription::close);
        subscriptions.clear();
    }
}
