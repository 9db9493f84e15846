package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import java.util.Optional;

/** CREATE, DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE. */
final class MailboxCommands {
    /** Delta Chat uses at most a handful; the limit only stops abuse. */
    static final int MAX_MAILBOXES = 100;

    private MailboxCommands() {}

    static Result create(ImapSession s, ImapCommand.Create create) {
        String name = create.mailbox();
        // A trailing delimiter only says the client means to create children (RFC 3501 6.3.3).
        if (name.length() > 1 && name.charAt(name.length() - 1) == MailboxNames.DELIMITER) {
            name = name.substring(0, name.length() - 1);
        }
        name = MailboxNames.normalize(name);
        Optional<String> invalid = MailboxNames.invalidForCreate(name);
        if (invalid.isPresent()) {
            return Result.no("[CANNOT] " + invalid.get() + ".");
        }
        long accountId = s.account().id();
        if (s.store().mailbox(accountId, name).isPresent()) {
            return Result.no("[ALREADYEXISTS] Mailbox already exists.");
        }
        if (s.store().mailboxes(accountId).size() >= MAX_MAILBOXES) {
            return Result.no("[LIMIT] Too many mailboxes.");
        }
        s.store().createMailbox(accountId, name);
        return Result.ok("Create completed.");
    }

    /** Mailboxes stay for the account's life: chatmail clients never remove them. */
    static Result delete(ImapSession s, ImapCommand.Delete delete) {
        String name = MailboxNames.normalize(delete.mailbox());
        if (s.store().mailbox(s.account().id(), name).isEmpty()) {
            return Result.no("[NONEXISTENT] Mailbox doesn't exist.");
        }
        return Result.no("[CANNOT] Mailboxes cannot be deleted on this server.");
    }

    static Result rename(ImapSession s, ImapCommand.Rename rename) {
        String name = MailboxNames.normalize(rename.from());
        if (s.store().mailbox(s.account().id(), name).isEmpty()) {
            return Result.no("[NONEXISTENT] Mailbox doesn't exist.");
        }
        return Result.no("[CANNOT] Mailboxes cannot be renamed on this server.");
    }

    /** Every mailbox is subscribed; (un)subscribing is accepted and changes nothing. */
    static Result subscribe(ImapSession s, ImapCommand.Subscribe subscribe) {
        return Result.ok(subscribe.subscribe() ? "Subscribe completed." : "Unsubscribe completed.");
    }
}
