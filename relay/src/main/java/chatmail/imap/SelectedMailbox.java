package chatmail.imap;

import chatmail.imap.protocol.SequenceSet;
import chatmail.store.Mailbox;
import chatmail.store.MailboxChanges;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One session's view of its selected mailbox: which UIDs the client knows, in sequence-number
 * order, and the MODSEQ up to which it knows each message's flags. The store changes under it
 * (deliveries, other sessions); {@link #sync} brings the view up to date and reports the
 * differences as the EXISTS, EXPUNGE and FETCH FLAGS responses RFC 3501 requires, holding back
 * expunges where they are not allowed (during FETCH, STORE, SEARCH by sequence number).
 *
 * <p>Only two arrays of longs per message are kept, so an idle connection on a large mailbox
 * costs 16 bytes per message; flags and sizes are read from the store when needed.
 */
final class SelectedMailbox {

    /** Where the untagged responses of a sync go. */
    interface Responses {
        void exists(int count);

        void expunge(int seq);

        void flags(int seq, MessageInfo info);
    }

    private final Mailbox mailbox;
    private final boolean readOnly;
    private long[] uids;
    private long[] modseqs;
    private int size;
    private volatile boolean changed;
    private boolean expungePending;
    /** The HIGHESTMODSEQ of the store's state this view last took in whole or in part. */
    private long syncedModseq;

    SelectedMailbox(Mailbox mailbox, boolean readOnly, MailboxSnapshot snapshot) {
        this.mailbox = mailbox;
        this.readOnly = readOnly;
        List<MessageInfo> messages = snapshot.messages();
        int capacity = Math.max(16, messages.size() + 8);
        uids = new long[capacity];
        modseqs = new long[capacity];
        for (MessageInfo m : messages) {
            uids[size] = m.uid();
            modseqs[size] = m.modseq();
            size++;
        }
        syncedModseq = snapshot.highestModseq();
    }

    Mailbox mailbox() {
        return mailbox;
    }

    long mailboxId() {
        return mailbox.id();
    }

    boolean readOnly() {
        return readOnly;
    }

    int exists() {
        return size;
    }

    /** UID of message {@code seq} (1-based). */
    long uid(int seq) {
        return uids[seq - 1];
    }

    /** Sequence number of {@code uid}, or 0 when the view does not hold it. */
    int seq(long uid) {
        int i = Arrays.binarySearch(uids, 0, size, uid);
        return i >= 0 ? i + 1 : 0;
    }

    long highestUid() {
        return size == 0 ? 0 : uids[size - 1];
    }

    /** The store announced a change of this mailbox; called from the store's thread. */
    void markChanged() {
        changed = true;
    }

    boolean needsSync() {
        return changed || expungePending;
    }

    /**
     * Whether {@link #apply} can bring the view up to date from the changes after
     * {@link #syncedModseq}: not while expunges the view has seen are held back.
     */
    boolean canApplyChanges() {
        return !expungePending;
    }

    long syncedModseq() {
        return syncedModseq;
    }

    /**
     * Sequence numbers named by a message set ({@code *} = the last message).
     *
     * @throws InvalidMessageSet when a number is beyond the last message
     */
    List<Integer> bySequence(SequenceSet set) throws InvalidMessageSet {
        if (size == 0 || set.largestExplicit() > size) {
            throw new InvalidMessageSet();
        }
        // SEC-4: walk the resolved ranges, never the numbers they name beyond the mailbox.
        SequenceSet.Resolved resolved = set.resolve(size);
        List<Integer> seqs = new ArrayList<>();
        for (int r = 0; r < resolved.size(); r++) {
            long high = Math.min(resolved.high(r), size);
            for (long seq = Math.max(1, resolved.low(r)); seq <= high; seq++) {
                seqs.add((int) seq);
            }
        }
        return seqs;
    }

    /**
     * Sequence numbers of the messages whose UIDs are in the set. {@code *} is the highest UID
     * in the view, so {@code n:*} always includes the last message while an explicit range
     * above every UID names nothing (RFC 3501, SPEC IMAP-1).
     */
    List<Integer> byUid(SequenceSet set) {
        List<Integer> seqs = new ArrayList<>();
        if (size == 0) {
            return seqs;
        }
        long highest = highestUid();
        // SEC-4: disjoint ranges in order, each found by binary search: every message is visited
        // at most once and the result comes out sorted, whatever the client wrote.
        SequenceSet.Resolved resolved = set.resolve(highest);
        for (int r = 0; r < resolved.size() && resolved.low(r) <= highest; r++) {
            int from = Arrays.binarySearch(uids, 0, size, resolved.low(r));
            from = from >= 0 ? from : -from - 1;
            long high = resolved.high(r);
            for (int i = from; i < size && uids[i] <= high; i++) {
                seqs.add(i + 1);
            }
        }
        return seqs;
    }

    /** The client now knows message {@code uid} with flags as of {@code modseq}. */
    void reported(long uid, long modseq) {
        int seq = seq(uid);
        if (seq > 0 && modseqs[seq - 1] < modseq) {
            modseqs[seq - 1] = modseq;
        }
    }

    /** Removes messages this session expunged itself, reporting each (highest first). */
    void expunged(List<Long> removed, Responses out) {
        List<Long> sorted = new ArrayList<>(removed);
        sorted.sort(null);
        for (int k = sorted.size() - 1; k >= 0; k--) {
            int seq = seq(sorted.get(k));
            if (seq > 0) {
                out.expunge(seq);
                remove(seq - 1);
            }
        }
    }

    /**
     * Brings the view up to date with {@code snapshot}: expunges (when allowed) highest first,
     * then flag changes the client has not seen, then EXISTS for new messages.
     */
    void sync(MailboxSnapshot snapshot, boolean allowExpunge, Responses out) {
        List<MessageInfo> now = snapshot.messages();
        // Expunged: in the view but no longer in the store.
        List<Integer> gone = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < size; i++) {
            while (j < now.size() && now.get(j).uid() < uids[i]) {
                j++;
            }
            if (j >= now.size() || now.get(j).uid() != uids[i]) {
                gone.add(i);
            }
        }
        expungePending = !gone.isEmpty() && !allowExpunge;
        if (allowExpunge) {
            for (int k = gone.size() - 1; k >= 0; k--) {
                int index = gone.get(k);
                out.expunge(index + 1);
                remove(index);
            }
        }
        reportChangedAndNew(now, out);
        syncedModseq = snapshot.highestModseq();
    }

    /**
     * Brings the view up to date with the messages changed after {@link #syncedModseq}, when
     * the store says none was expunged since: what {@link #sync} reports for the same state
     * (flag changes the client has not seen, then EXISTS), from the changed rows alone. Every
     * change of a known message gave it a MODSEQ above the one this view holds for it, and every
     * message above the highest UID here is new, so nothing else can differ.
     */
    void apply(MailboxChanges changes, Responses out) {
        reportChangedAndNew(changes.changed(), out);
        syncedModseq = changes.highestModseq();
    }

    /**
     * Flag changes of known messages the client has not seen (a MODSEQ above the one held for
     * it), then new messages appended and one EXISTS for them; {@code messages} in UID order.
     */
    private void reportChangedAndNew(List<MessageInfo> messages, Responses out) {
        long highest = highestUid();
        int knownCount = size;
        for (MessageInfo m : messages) {
            if (m.uid() > highest) {
                append(m.uid(), m.modseq());
                continue;
            }
            int seq = seq(m.uid());
            if (seq > 0 && seq <= knownCount && m.modseq() > modseqs[seq - 1]) {
                modseqs[seq - 1] = m.modseq();
                out.flags(seq, m);
            }
        }
        if (size != knownCount) {
            out.exists(size);
        }
    }

    /** Clears the changed mark before the store is read, so no later change is missed. */
    void clearChanged() {
        changed = false;
    }

    private void append(long uid, long modseq) {
        if (size == uids.length) {
            uids = Arrays.copyOf(uids, size * 2);
            modseqs = Arrays.copyOf(modseqs, size * 2);
        }
        uids[size] = uid;
        modseqs[size] = modseq;
        size++;
    }

    private void remove(int index) {
        System.arraycopy(uids, index + 1, uids, index, size - index - 1);
        System.arraycopy(modseqs, index + 1, modseqs, index, size - index - 1);
        size--;
    }

    /** A message sequence number beyond the last message. */
    static final class InvalidMessageSet extends Exception {
        InvalidMessageSet() {
            super("Invalid messageset", null, false, false);
        }
    }
}
