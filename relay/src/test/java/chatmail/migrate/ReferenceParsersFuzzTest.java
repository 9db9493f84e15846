package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes the readers of the reference relay's files; the first byte picks one: 0 dovecot-uidlist,
 * 1 a maildir file name, 2 Dovecot's index log and header, 3 dovecot-keywords, 4 metadata.json.
 * Properties: nothing but {@link ReferenceFormatException} escapes (the index reader throws
 * nothing at all); a parsed uidlist written back with {@link UidList#toText()} parses to the same
 * counters and entries; a parsed file name rebuilt with {@link MaildirFileName#toFileName()}
 * parses to the same base and flags; keywords are atoms. {@code mvn test} replays the seeds in
 * {@code src/test/resources/chatmail/migrate/ReferenceParsersFuzzTestInputs/parse};
 * {@code scripts/fuzz} fuzzes for real.
 */
class ReferenceParsersFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"3 V", " N", " G", " :", ":2,", ",S=", ",W=", "devicetoken", "{\"", "\":", "0 $Label"})
    void parse(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        String text = new String(rest, StandardCharsets.UTF_8);
        switch (Math.floorMod(input[0], 5)) {
            case 0 -> uidList(text);
            case 1 -> fileName(text);
            case 2 -> {
                DovecotIndexLog.readLog(rest);
                DovecotIndexLog.readIndex(rest);
            }
            case 3 -> assertThat(DovecotKeywords.parse(text).byIndex().values()).allMatch(DovecotKeywords::isAtom);
            default -> {
                try {
                    DeviceTokenFile.parse(rest);
                } catch (ReferenceFormatException expected) {
                    // refused, as it should be
                }
            }
        }
    }

    private static void uidList(String text) {
        UidList list;
        try {
            list = UidList.parse(text);
        } catch (ReferenceFormatException expected) {
            return;
        }
        UidList again;
        try {
            again = UidList.parse(list.toText());
        } catch (ReferenceFormatException e) {
            throw new AssertionError("toText() of a parsed uidlist does not parse: " + e.getMessage(), e);
        }
        assertThat(again.uidValidity()).isEqualTo(list.uidValidity());
        assertThat(again.headerNextUid()).isEqualTo(list.headerNextUid());
        assertThat(again.entries()).isEqualTo(list.entries());
        assertThat(again.lineProblems()).isEmpty();
    }

    private static void fileName(String text) {
        MaildirFileName name;
        try {
            name = MaildirFileName.parse(text);
        } catch (ReferenceFormatException expected) {
            return;
        }
        assertThat(name.baseName()).doesNotContain(":");
        try {
            MaildirFileName again = MaildirFileName.parse(name.toFileName());
            assertThat(again.baseName()).isEqualTo(name.baseName());
            assertThat(again.flags()).isEqualTo(name.flags());
        } catch (ReferenceFormatException e) {
            throw new AssertionError("a rebuilt file name does not parse: " + e.getMessage(), e);
        }
    }
}
