package chatmail.delivery;

import chatmail.store.Account;

/** What the local store says about one recipient address before a message is accepted. */
public sealed interface RecipientStatus {
    record Deliverable(Account account) implements RecipientStatus {}

    record UnknownUser() implements RecipientStatus {}

    record MailboxFull(Account account) implements RecipientStatus {}
}
