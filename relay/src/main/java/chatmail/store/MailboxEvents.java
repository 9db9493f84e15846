package chatmail.store;

import java.util.List;

/**
 * In-process announcements of committed mailbox changes, for IDLE sessions and push.
 * Listeners run on the store's writer thread: they must only hand the event on, never block.
 */
public interface MailboxEvents {

    /** Listens to changes of every mailbox of one account until the returned handle is closed. */
    Subscription subscribe(long accountId, Listener listener);

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    @FunctionalInterface
    interface Listener {
        void onEvent(MailboxEvent event);
    }

    sealed interface MailboxEvent permits MessagesAdded, FlagsChanged, MessagesExpunged {
        long accountId();
        long mailboxId();
    }

    record MessagesAdded(long accountId, long mailboxId, List<Long> uids) implements MailboxEvent {}

    record FlagsChanged(long accountId, long mailboxId, List<Long> uids) implements MailboxEvent {}

    record MessagesExpunged(long accountId, long mailboxId, List<Long> uids) implements MailboxEvent {}
}
