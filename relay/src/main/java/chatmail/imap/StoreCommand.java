package chatmail.imap;

import chatmail.imap.protocol.ImapCommand;
import chatmail.store.MailStore.FlagUpdate;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** STORE and UID STORE, with UNCHANGEDSINCE of RFC 7162. */
final class StoreCommand {
    private StoreCommand() {}

    static Result run(ImapSession s, ImapCommand.Store store) throws IOException {
        SelectedMailbox view = s.selected();
        if (view.readOnly()) {
            return Result.no("[READ-ONLY] Mailbox is read-only.");
        }
        Set<String> flags;
        try {
            flags = Flags.parse(store.flags());
        } catch (IllegalArgumentException e) {
            return Result.bad("Error in IMAP command " + store.name() + ": " + e.getMessage());
        }
        List<Integer> seqs;
        try {
            seqs = store.uid() ? view.byUid(store.set()) : view.bySequence(store.set());
        } catch (SelectedMailbox.InvalidMessageSet e) {
            return Result.bad("Error in IMAP command STORE: Invalid messageset");
        }
        if (store.unchangedSince() >= 0) {
            s.enableCondstore();
        }
        MailboxSnapshot before = s.store().snapshot(view.mailboxId());
        List<Long> uids = new ArrayList<>();
        List<Long> modified = new ArrayList<>();
        for (int seq : seqs) {
            MessageInfo info = MessageSets.find(before, view.uid(seq));
            if (info == null) {
                continue;
            }
            if (store.unchangedSince() >= 0 && info.modseq() > store.unchangedSince()) {
                modified.add(info.uid());
            } else {
                uids.add(info.uid());
            }
        }
        FlagUpdate update = switch (store.mode()) {
            case ADD -> FlagUpdate.ADD;
            case REMOVE -> FlagUpdate.REMOVE;
            case REPLACE -> FlagUpdate.REPLACE;
        };
        Map<Long, MessageInfo> changed = new HashMap<>();
        if (!uids.isEmpty()) {
            for (MessageInfo info : s.store().updateFlags(view.mailboxId(), uids, update, flags)) {
                changed.put(info.uid(), info);
                view.reported(info.uid(), info.modseq());
            }
        }
        for (long uid : uids) {
            MessageInfo info = changed.get(uid);
            // .SILENT: the client knows what it set; with CONDSTORE it still learns the new MODSEQ.
            if (store.silent() && (info == null || !s.condstore())) {
                continue;
            }
            if (info == null) {
                info = MessageSets.find(before, uid);
            }
            StringBuilder line = new StringBuilder().append(view.seq(uid)).append(" FETCH (");
            if (store.uid()) {
                line.append("UID ").append(uid).append(' ');
            }
            line.append(FetchResponses.flags(info.flags()));
            if (s.condstore()) {
                line.append(" MODSEQ (").append(info.modseq()).append(')');
            }
            s.out().untagged(line.append(')').toString());
        }
        if (!modified.isEmpty()) {
            List<Long> numbers = store.uid() ? modified : modified.stream().map(u -> (long) view.seq(u)).toList();
            return Result.ok("[MODIFIED " + MessageSets.compact(numbers) + "] Conditional STORE failed.");
        }
        return Result.ok("Store completed.");
    }
}
