package chatmail.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link ImapCommandParser} with arbitrary command bytes (literals inline, as
 * {@link ImapReader} hands them over). Properties: only {@link ImapParseException} escapes;
 * its text is printable ASCII on one line (it goes to the client); every accepted request,
 * written back by {@link ImapCommandFormatter} (all strings as literals), parses to an equal
 * request, so what the parser accepts keeps its meaning. {@code mvn test} replays the seeds in
 * {@code src/test/resources/chatmail/imap/protocol/ImapCommandParserFuzzTestInputs/parse};
 * {@code scripts/fuzz} fuzzes for real.
 */
class ImapCommandParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "imap-command.dict")
    void parse(byte[] command) throws ImapParseException {
        ImapRequest request;
        try {
            request = ImapCommandParser.parse(command);
        } catch (ImapParseException e) {
            assertThat(e.responseText()).matches("[\\x20-\\x7e]+");
            return;
        }
        byte[] again = ImapCommandFormatter.format(request);
        assertThat(ImapCommandParser.parse(again)).isEqualTo(request);
    }
}
