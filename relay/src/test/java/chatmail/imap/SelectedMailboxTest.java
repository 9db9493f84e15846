package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.imap.protocol.SequenceSet;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-session view: sequence numbers, UIDs and what a sync reports (RFC 3501 7.4.1). */
class SelectedMailboxTest {
    private static final Mailbox BOX = new Mailbox(1, 1, "INBOX", 42);

    private static MessageInfo m(long uid, long modseq, String... flags) {
        return new MessageInfo(uid, Set.of(flags), modseq, 10, Instant.EPOCH);
    }

    private static MailboxSnapshot snapshot(MessageInfo... messages) {
        return new MailboxSnapshot(BOX, 100, 100, List.of(messages));
    }

    /** Records what a sync reports. */
    private static final class Recorder implements SelectedMailbox.Responses {
        final List<String> lines = new ArrayList<>();

        @Override
        public void exists(int count) {
            lines.add(count + " EXISTS");
        }

        @Override
        public void expunge(int seq) {
            lines.add(seq + " EXPUNGE");
        }

        @Override
        public void flags(int seq, MessageInfo info) {
            lines.add(seq + " FETCH UID " + info.uid() + " " + info.flags());
        }
    }

    @Test
    void uidSetsFollowRfc3501StarSemantics() throws Exception {
        SelectedMailbox view = new SelectedMailbox(BOX, false, snapshot(m(2, 1), m(5, 1), m(9, 1)));
        assertThat(view.byUid(SequenceSet.of(1, SequenceSet.STAR))).containsExactly(1, 2, 3);
        assertThat(view.byUid(SequenceSet.of(10, 500))).isEmpty();
        assertThat(view.byUid(SequenceSet.of(10, SequenceSet.STAR))).containsExactly(3);
        assertThat(view.byUid(new SequenceSet(List.of(new SequenceSet.Range(9, 9), new SequenceSet.Range(2, 5)))))
                .containsExactly(1, 2, 3);
        assertThat(view.bySequence(SequenceSet.of(2, SequenceSet.STAR))).containsExactly(2, 3);
        assertThatThrownBy(() -> view.bySequence(SequenceSet.of(4, 4))).isInstanceOf(SelectedMailbox.InvalidMessageSet.class);
        assertThat(view.seq(5)).isEqualTo(2);
        assertThat(view.seq(6)).isZero();
    }

    @Test
    void syncReportsExpungesHighestFirstThenFlagsThenExists() {
        SelectedMailbox view = new SelectedMailbox(BOX, false, snapshot(m(1, 1), m(2, 1), m(3, 1), m(4, 1)));
        Recorder out = new Recorder();
        view.sync(snapshot(m(1, 1), m(3, 5, "\\Seen"), m(6, 6), m(7, 7)), true, out);
        assertThat(out.lines).containsExactly("4 EXPUNGE", "2 EXPUNGE", "2 FETCH UID 3 [\\Seen]", "4 EXISTS");
        assertThat(view.exists()).isEqualTo(4);
        assertThat(view.uid(3)).isEqualTo(6);
        Recorder again = new Recorder();
        view.sync(snapshot(m(1, 1), m(3, 5, "\\Seen"), m(6, 6), m(7, 7)), true, again);
        assertThat(again.lines).isEmpty();
    }

    @Test
    void expungesAreHeldBackWhenNotAllowedAndSentLater() {
        SelectedMailbox view = new SelectedMailbox(BOX, false, snapshot(m(1, 1), m(2, 1)));
        Recorder during = new Recorder();
        view.sync(snapshot(m(2, 1), m(3, 3)), false, during);
        assertThat(during.lines).containsExactly("3 EXISTS");
        assertThat(view.needsSync()).isTrue();
        assertThat(view.uid(1)).isEqualTo(1);
        Recorder after = new Recorder();
        view.sync(snapshot(m(2, 1), m(3, 3)), true, after);
        assertThat(after.lines).containsExactly("1 EXPUNGE");
        assertThat(view.needsSync()).isFalse();
    }

    @Test
    void ownChangesAreNotReportedTwice() {
        SelectedMailbox view = new SelectedMailbox(BOX, false, snapshot(m(1, 1), m(2, 1)));
        view.reported(2, 8);
        view.expunged(List.of(1L), new Recorder());
        Recorder out = new Recorder();
        view.sync(snapshot(m(2, 8, "\\Flagged")), true, out);
        assertThat(out.lines).isEmpty();
        assertThat(view.exists()).isEqualTo(1);
    }

    @Test
    void viewGrowsBeyondItsFirstCapacity() {
        SelectedMailbox view = new SelectedMailbox(BOX, false, snapshot());
        List<MessageInfo> many = new ArrayList<>();
        for (int uid = 1; uid <= 1000; uid++) {
            many.add(m(uid, uid));
        }
        Recorder out = new Recorder();
        view.sync(new MailboxSnapshot(BOX, 1001, 1000, many), true, out);
        assertThat(out.lines).containsExactly("1000 EXISTS");
        assertThat(view.seq(777)).isEqualTo(777);
    }

    /**
     * Reading only the rows changed since the last sync must report what a sync of the whole
     * mailbox reports, through any history of deliveries and flag changes (no expunges: then the
     * store makes the session read everything), including the session's own STOREs.
     */
    @Test
    void applyingChangesReportsWhatAFullSyncReports() {
        java.util.Random random = new java.util.Random(16);
        for (int history = 0; history < 200; history++) {
            java.util.TreeMap<Long, MessageInfo> store = new java.util.TreeMap<>();
            long[] modseq = {1};
            long[] nextUid = {1};
            for (int i = random.nextInt(4); i > 0; i--) {
                store.put(nextUid[0], m(nextUid[0]++, ++modseq[0]));
            }
            SelectedMailbox full = new SelectedMailbox(BOX, false, current(store, modseq[0]));
            SelectedMailbox incremental = new SelectedMailbox(BOX, false, current(store, modseq[0]));
            for (int step = 0; step < 12; step++) {
                for (int change = random.nextInt(4); change > 0; change--) {
                    if (store.isEmpty() || random.nextBoolean()) {
                        store.put(nextUid[0], m(nextUid[0]++, ++modseq[0]));
                    } else {
                        long uid = store.keySet().stream().skip(random.nextInt(store.size())).findFirst().orElseThrow();
                        MessageInfo changed = m(uid, ++modseq[0], random.nextBoolean() ? "\\Seen" : "\\Flagged");
                        store.put(uid, changed);
                        if (random.nextInt(3) == 0) {
                            // This session's own STORE: it already told its client.
                            full.reported(uid, changed.modseq());
                            incremental.reported(uid, changed.modseq());
                        }
                    }
                }
                Recorder fromSnapshot = new Recorder();
                full.sync(current(store, modseq[0]), true, fromSnapshot);
                Recorder fromChanges = new Recorder();
                long since = incremental.syncedModseq();
                incremental.apply(new chatmail.store.MailboxChanges(modseq[0],
                        store.values().stream().filter(m -> m.modseq() > since).toList()), fromChanges);
                assertThat(fromChanges.lines).as("history %d step %d", history, step).isEqualTo(fromSnapshot.lines);
                assertThat(incremental.exists()).isEqualTo(full.exists());
            }
        }
    }

    private static MailboxSnapshot current(java.util.TreeMap<Long, MessageInfo> store, long highestModseq) {
        return new MailboxSnapshot(BOX, store.isEmpty() ? 1 : store.lastKey() + 1, highestModseq,
                List.copyOf(store.values()));
    }
}
