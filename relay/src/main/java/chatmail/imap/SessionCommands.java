package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import java.io.IOException;

/** The small commands of any state: CAPABILITY, LOGOUT, ID, ENABLE, NAMESPACE. */
final class SessionCommands {
    private SessionCommands() {}

    static Result capability(ImapSession s) throws IOException {
        s.out().untagged("CAPABILITY " + s.capabilities());
        return Result.ok("Capability completed.");
    }

    static Result logout(ImapSession s) throws IOException {
        s.out().untagged("BYE Logging out");
        return Result.okThenClose("Logout completed.");
    }

    /** RFC 2971: the server names itself and nothing more (no version for attackers). */
    static Result id(ImapSession s) throws IOException {
        s.out().untagged("ID (\"name\" \"chatmail\")");
        return Result.ok("ID completed.");
    }

    /** RFC 5161: CONDSTORE can be enabled; unknown capabilities are ignored, as the RFC says. */
    static Result enable(ImapSession s, ImapCommand.Enable enable) throws IOException {
        StringBuilder enabled = new StringBuilder("ENABLED");
        if (enable.capabilities().contains("CONDSTORE") && !s.condstore()) {
            s.enableCondstore();
            enabled.append(" CONDSTORE");
            SelectedMailbox view = s.selected();
            if (view != null) {
                long highest = s.store().snapshot(view.mailboxId()).highestModseq();
                s.out().untagged("OK [HIGHESTMODSEQ " + highest + "] Highest");
            }
        }
        s.out().untagged(enabled.toString());
        return Result.ok("Enabled.");
    }

    static Result namespace(ImapSession s) throws IOException {
        s.out().untagged("NAMESPACE ((\"\" \"" + MailboxNames.DELIMITER + "\")) NIL NIL");
        return Result.ok("Namespace completed.");
    }
}
