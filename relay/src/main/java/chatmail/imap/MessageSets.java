package chatmail.imap;

import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Helpers over UID lists: look-ups in a snapshot, and the compact {@code 1:3,7} form. */
final class MessageSets {
    private MessageSets() {}

    /** The message with this UID in a snapshot (messages are in UID order), or null. */
    static MessageInfo find(MailboxSnapshot snapshot, long uid) {
        List<MessageInfo> messages = snapshot.messages();
        int i = Collections.binarySearch(messages, null, (m, ignored) -> Long.compare(m.uid(), uid));
        return i >= 0 ? messages.get(i) : null;
    }

    /** Ascending UIDs as an IMAP set: runs become ranges. */
    static String compact(List<Long> ascending) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < ascending.size()) {
            int j = i;
            while (j + 1 < ascending.size() && ascending.get(j + 1) == ascending.get(j) + 1) {
                j++;
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(ascending.get(i));
            if (j > i) {
                sb.append(':').append(ascending.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }

    /** The UIDs of the given sequence numbers of a view. */
    static List<Long> uids(SelectedMailbox view, List<Integer> seqs) {
        List<Long> uids = new ArrayList<>(seqs.size());
        for (int seq : seqs) {
            uids.add(view.uid(seq));
        }
        return uids;
    }
}
