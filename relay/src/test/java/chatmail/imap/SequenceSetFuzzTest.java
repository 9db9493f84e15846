package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.imap.protocol.ImapCommand;
import chatmail.imap.protocol.ImapCommandParser;
import chatmail.imap.protocol.ImapParseException;
import chatmail.imap.protocol.SequenceSet;
import chatmail.store.Mailbox;
import chatmail.store.MailboxSnapshot;
import chatmail.store.MessageInfo;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes parsing and evaluating IMAP sequence sets (SEC-4). Input: the set as the client writes
 * it, a newline, then bytes that describe a mailbox (each byte a gap to the next UID, at most
 * 200 messages). Properties: only {@link ImapParseException} escapes the parser, and no set of
 * more than 1,000 ranges is accepted; the resolved form is sorted and disjoint and has no more
 * ranges than the set; the sequence numbers that {@code FETCH} and {@code UID FETCH} would
 * touch are exactly those a naive check of every message finds, each once and in order, and
 * never more than the mailbox holds (so {@code 1:4294967295} costs the mailbox, not four
 * billion). {@code mvn test} replays the seeds in
 * {@code src/test/resources/chatmail/imap/SequenceSetFuzzTestInputs/evaluate};
 * {@code scripts/fuzz} fuzzes for real.
 */
class SequenceSetFuzzTest {

    private static final int MAX_MESSAGES = 200;

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"*", ":", ",", "1:*", "4294967295", "4294967296", "0"})
    void evaluate(byte[] input) throws ImapParseException {
        int newline = indexOf(input, (byte) '\n');
        byte[] setText = Arrays.copyOf(input, newline < 0 ? input.length : newline);
        SequenceSet set;
        try {
            byte[] command = concat("a UID FETCH ".getBytes(StandardCharsets.US_ASCII), setText,
                    " (UID)".getBytes(StandardCharsets.US_ASCII));
            set = ((ImapCommand.Fetch) ImapCommandParser.parse(command).command()).set();
        } catch (ImapParseException expected) {
            return;
        }
        assertThat(set.ranges().size()).isBetween(1, SequenceSet.MAX_RANGES);
        assertThat(reparse(set)).as("the wire form means the same set").isEqualTo(set);

        long[] uids = mailbox(newline < 0 ? new byte[0] : Arrays.copyOfRange(input, newline + 1, input.length));
        SelectedMailbox view = view(uids);
        long highest = uids.length == 0 ? 0 : uids[uids.length - 1];

        SequenceSet.Resolved resolved = set.resolve(highest);
        assertThat(resolved.size()).isBetween(1, set.ranges().size());
        for (int r = 0; r < resolved.size(); r++) {
            assertThat(resolved.low(r)).isLessThanOrEqualTo(resolved.high(r));
            if (r > 0) {
                assertThat(resolved.low(r)).as("disjoint, with a gap").isGreaterThan(resolved.high(r - 1) + 1);
            }
        }

        List<Integer> expectedByUid = new ArrayList<>();
        for (int i = 0; i < uids.length; i++) {
            if (set.contains(uids[i], highest)) {
                expectedByUid.add(i + 1);
            }
            assertThat(resolved.contains(uids[i])).isEqualTo(set.contains(uids[i], highest));
        }
        assertThat(view.byUid(set)).isEqualTo(expectedByUid);

        boolean invalid = uids.length == 0 || set.largestExplicit() > uids.length;
        try {
            List<Integer> bySequence = view.bySequence(set);
            assertThat(invalid).as("accepted a set beyond the last message").isFalse();
            List<Integer> expected = new ArrayList<>();
            for (int seq = 1; seq <= uids.length; seq++) {
                if (set.contains(seq, uids.length)) {
                    expected.add(seq);
                }
            }
            assertThat(bySequence).isEqualTo(expected);
        } catch (SelectedMailbox.InvalidMessageSet e) {
            assertThat(invalid).as("refused a set within the mailbox").isTrue();
        }
    }

    private static SequenceSet reparse(SequenceSet set) throws ImapParseException {
        byte[] command = ("a UID FETCH " + set + " (UID)").getBytes(StandardCharsets.US_ASCII);
        return ((ImapCommand.Fetch) ImapCommandParser.parse(command).command()).set();
    }

    /** Ascending UIDs: each byte is a gap of 1 to 256, so UIDs stay far below 2^32. */
    private static long[] mailbox(byte[] gaps) {
        int n = Math.min(gaps.length, MAX_MESSAGES);
        long[] uids = new long[n];
        long uid = 0;
        for (int i = 0; i < n; i++) {
            uid += (gaps[i] & 0xff) + 1;
            uids[i] = uid;
        }
        return uids;
    }

    private static SelectedMailbox view(long[] uids) {
        Mailbox mailbox = new Mailbox(1, 1, "INBOX", 1);
        List<MessageInfo> messages = new ArrayList<>();
        for (long uid : uids) {
            messages.add(new MessageInfo(uid, Set.of(), 1, 10, Instant.EPOCH));
        }
        long next = uids.length == 0 ? 1 : uids[uids.length - 1] + 1;
        return new SelectedMailbox(mailbox, false, new MailboxSnapshot(mailbox, next, 1, messages));
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
