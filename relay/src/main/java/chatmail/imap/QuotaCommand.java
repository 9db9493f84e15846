package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.Wire;
import java.io.IOException;

/**
 * QUOTA (RFC 9208): one quota root {@code ""} per account covering every mailbox, STORAGE in
 * KiB: what the account's messages use and {@code max_mailbox_size} (IMAP-6).
 */
final class QuotaCommand {
    private QuotaCommand() {}

    static Result getQuotaRoot(ImapSession s, ImapCommand.GetQuotaRoot get) throws IOException {
        String name = MailboxNames.normalize(get.mailbox());
        if (s.store().mailbox(s.account().id(), name).isEmpty()) {
            return Result.no("[NONEXISTENT] Mailbox doesn't exist.");
        }
        s.out().untagged("QUOTAROOT " + Wire.astring(name) + " \"\"");
        quota(s);
        return Result.ok("Getquotaroot completed.");
    }

    static Result getQuota(ImapSession s, ImapCommand.GetQuota get) throws IOException {
        if (!get.root().isEmpty()) {
            return Result.no("[NONEXISTENT] No such quota root.");
        }
        quota(s);
        return Result.ok("Getquota completed.");
    }

    private static void quota(ImapSession s) throws IOException {
        long usedKib = s.store().usage(s.account().id()) / 1024;
        long limitKib = s.services().config().maxMailboxSize() / 1024;
        s.out().untagged("QUOTA \"\" (STORAGE " + usedKib + " " + limitKib + ")");
    }
}
