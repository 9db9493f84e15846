package chatmail.delivery;

import chatmail.policy.Reply;
import chatmail.store.Account;

/** What a pipeline says about one recipient at RCPT (or an {@code X-MAIL-TO} of /mxdeliv). */
public sealed interface RecipientCheck {

    /** A local account that gets the message. */
    record Local(Account account) implements RecipientCheck {}

    /** A remote address: the message is queued for it (submission only). */
    record Remote(String address) implements RecipientCheck {}

    /**
     * A local address that cannot get the message (unknown, full): accepted at RCPT so one bad
     * address does not block a group message, and bounced to the sender (submission, SMTP-4).
     */
    record Bounced(FailedRecipient failure) implements RecipientCheck {}

    /** Refused now with this reply. */
    record Refused(Reply reply) implements RecipientCheck {}
}
