package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DovecotIndexLogTest {

    /**
     * dovecot.index.log of a real Dovecot 2.3.19 INBOX: five messages delivered over LMTP, all
     * expunged over IMAP, then three more delivered (UIDs 6-8); no dovecot.index was written.
     */
    private static byte[] realLog() throws IOException {
        try (InputStream in = DovecotIndexLogTest.class.getResourceAsStream("emptied-then-3-appended.dovecot.index.log")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aRealLogGivesTheUidValidityAndTheNextUid() throws IOException {
        DovecotIndexLog state = DovecotIndexLog.readLog(realLog());
        assertThat(state.uidValidity()).isEqualTo(OptionalLong.of(1796559466L));
        assertThat(state.nextUid()).isEqualTo(OptionalLong.of(9));
    }

    @Test
    void aLogCutShortGivesWhatWasReadBeforeTheCut() throws IOException {
        byte[] log = realLog();
        DovecotIndexLog half = DovecotIndexLog.readLog(Arrays.copyOf(log, 0x300));
        assertThat(half.uidValidity()).isEqualTo(OptionalLong.of(1796559466L));
        assertThat(half.nextUid()).as("appends 1 to 3 lie before the cut").isEqualTo(OptionalLong.of(4));
    }

    @Test
    void otherVersionsAndGarbageGiveNothing() throws IOException {
        byte[] log = realLog();
        log[0] = 2;
        assertThat(DovecotIndexLog.readLog(log)).isEqualTo(DovecotIndexLog.empty());
        assertThat(DovecotIndexLog.readLog(new byte[10])).isEqualTo(DovecotIndexLog.empty());
        assertThat(DovecotIndexLog.readIndex(new byte[100])).isEqualTo(DovecotIndexLog.empty());
    }

    @Test
    void theIndexHeaderIsReadAtItsFixedOffsets() {
        byte[] header = new byte[120];
        header[0] = 7;
        header[2] = 120;
        header[12] = 1; // little endian
        header[24] = 0x2a; // uid_validity 42
        header[28] = 0x10; // next_uid 16
        DovecotIndexLog state = DovecotIndexLog.readIndex(header);
        assertThat(state.uidValidity()).isEqualTo(OptionalLong.of(42));
        assertThat(state.nextUid()).isEqualTo(OptionalLong.of(16));
        assertThat(state.and(new DovecotIndexLog(OptionalLong.empty(), OptionalLong.of(20))).nextUid())
                .isEqualTo(OptionalLong.of(20));
    }

    @Test
    void recordSizesAreSevenBitsPerByteWithTheTopBitsSet() {
        assertThat(DovecotIndexLog.recordSize(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x83}, 0)).isEqualTo(12);
        assertThat(DovecotIndexLog.recordSize(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x81, (byte) 0x80}, 0)).isEqualTo(512);
        assertThat(DovecotIndexLog.recordSize(new byte[] {0x00, (byte) 0x80, (byte) 0x80, (byte) 0x83}, 0)).isZero();
    }
}
