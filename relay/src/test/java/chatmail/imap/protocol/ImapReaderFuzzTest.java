package chatmail.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes {@link ImapReader} over arbitrary byte streams. Properties: nothing but the reader's own
 * results comes out (no exception); the events (commands with their bytes, refusals, end) do
 * not depend on how the stream is cut into reads, so no buffer boundary changes the meaning;
 * every line of a command respects the line limit and no literal exceeds the literal limit;
 * a continuation is requested exactly for the synchronizing literals that were accepted.
 *
 * <p>Input layout: byte 0 picks the read size of the second pass, byte 1 the literal limit;
 * the rest is the stream.
 */
class ImapReaderFuzzTest {
    private static final int MAX_LINE = 40;

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "imap-command.dict")
    void readStream(byte[] input) throws IOException {
        if (input.length < 2) {
            return;
        }
        int chunk = 1 + (input[0] & 0x1f);
        long maxLiteral = input[1] & 0x3f;
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        List<String> whole = events(stream, 1 << 16, maxLiteral);
        List<String> chunked = events(stream, chunk, maxLiteral);
        assertThat(chunked).isEqualTo(whole);
    }

    private static List<String> events(byte[] stream, int chunk, long maxLiteral) throws IOException {
        ImapReader reader = new ImapReader(new ChunkedInputStream(stream, chunk), MAX_LINE, () -> { });
        List<String> events = new ArrayList<>();
        int[] continuations = {0};
        while (true) {
            ImapReader.Input input = reader.readCommand(maxLiteral, () -> continuations[0]++);
            switch (input) {
                case ImapReader.Command c -> {
                    checkLimits(c.bytes(), maxLiteral, continuations[0]);
                    continuations[0] = 0;
                    events.add("command " + Arrays.toString(c.bytes()));
                }
                case ImapReader.TooLong t -> {
                    continuations[0] = 0;
                    events.add("too long " + t.tag());
                }
                case ImapReader.LiteralTooLarge l -> {
                    continuations[0] = 0;
                    events.add("literal too large " + l.tag() + " " + l.synchronizing());
                }
                case ImapReader.EndOfInput e -> {
                    events.add("end");
                    return events;
                }
            }
        }
    }

    /** Walks the command: lines within the limit, literals within theirs, one continuation per {n}. */
    private static void checkLimits(byte[] b, long maxLiteral, int continuations) {
        int synchronizing = 0;
        int lineStart = 0;
        int i = 0;
        while (true) {
            int end = i;
            while (end < b.length && !(b[end] == '\r' && end + 1 < b.length && b[end + 1] == '\n'
                    && literalBefore(b, lineStart, end) != null)) {
                end++;
            }
            assertThat(end - lineStart).isLessThanOrEqualTo(MAX_LINE);
            if (end >= b.length) {
                break;
            }
            long[] literal = literalBefore(b, lineStart, end);
            assertThat(literal[0]).isLessThanOrEqualTo(maxLiteral);
            if (literal[1] == 1) {
                synchronizing++;
            }
            i = end + 2 + (int) literal[0];
            lineStart = i;
        }
        assertThat(continuations).isEqualTo(synchronizing);
    }

    private static long[] literalBefore(byte[] b, int start, int end) {
        var literal = ImapReader.literalAtEnd(b, start, end);
        return literal == null ? null : new long[] {literal.size(), literal.synchronizing() ? 1 : 0};
    }
}
