package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.Wire;
import chatmail.store.Mailbox;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** LIST and LSUB with RFC 6154 special-use attributes; every mailbox counts as subscribed. */
final class ListCommand {
    private ListCommand() {}

    static Result run(ImapSession s, ImapCommand.ListMailboxes list) throws IOException {
        String response = list.lsub() ? "LSUB" : "LIST";
        if (!list.lsub() && list.patterns().size() == 1 && list.patterns().getFirst().isEmpty()) {
            // LIST "" "": the hierarchy delimiter and the root (RFC 3501 6.3.8).
            s.out().untagged("LIST (\\Noselect) \"" + MailboxNames.DELIMITER + "\" \"\"");
            return Result.ok("List completed.");
        }
        boolean specialUseOnly = list.selectOptions().contains("SPECIAL-USE");
        List<String> names = new ArrayList<>();
        for (Mailbox m : s.store().mailboxes(s.account().id())) {
            names.add(m.name());
        }
        for (String name : names) {
            if (!matchesAny(list, name)) {
                continue;
            }
            Optional<String> specialUse = MailboxNames.specialUse(name);
            if (specialUseOnly && specialUse.isEmpty()) {
                continue;
            }
            List<String> attributes = new ArrayList<>();
            if (!list.lsub()) {
                boolean children = names.stream().anyMatch(other -> other.startsWith(name + MailboxNames.DELIMITER));
                attributes.add(children ? "\\HasChildren" : "\\HasNoChildren");
                specialUse.ifPresent(attributes::add);
            }
            s.out().untagged(response + " (" + String.join(" ", attributes) + ") \"" + MailboxNames.DELIMITER + "\" "
                    + Wire.astring(name));
        }
        return Result.ok(list.lsub() ? "Lsub completed." : "List completed.");
    }

    private static boolean matchesAny(ImapCommand.ListMailboxes list, String name) {
        for (String pattern : list.patterns()) {
            if (MailboxNames.matches(list.reference() + pattern, name)) {
                return true;
            }
        }
        return false;
    }
}
