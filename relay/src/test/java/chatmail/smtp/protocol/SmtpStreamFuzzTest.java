package chatmail.smtp.protocol;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link SmtpLineReader} and {@link DataReader} together over arbitrary byte streams, as
 * a session uses them: lines are read and parsed; after a {@code DATA} line the body is read.
 * The stream arrives in small chunks of fuzzer-chosen size, so every buffer boundary is hit.
 *
 * <p>Properties: no exception escapes; every event (line, too long, bare line ending, end of
 * input, DATA outcome and size) equals that of a plain reference model that looks at the whole
 * stream at once; an accepted body equals the model's, contains no bare CR or LF, and never
 * more than the size limit is handed to the sink; no line longer than the limit comes out.
 *
 * <p>Input layout: byte 0 picks the read chunk size, byte 1 the line limit, byte 2 the message
 * size limit; the rest is the stream.
 */
class SmtpStreamFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "smtp-stream.dict")
    void readStream(byte[] input) throws IOException {
        if (input.length < 3) {
            return;
        }
        int chunk = 1 + (input[0] & 0x3f);
        int maxLine = 3 + (input[1] & 0x3f);
        long maxMessage = input[2] & 0xff;
        byte[] stream = Arrays.copyOfRange(input, 3, input.length);

        SmtpLineReader reader = new SmtpLineReader(new ChunkedInputStream(stream, chunk), maxLine, Math.max(4, maxLine));
        Model model = new Model(stream, maxLine);
        while (true) {
            SmtpLine line = reader.readLine();
            assertThat(line).isEqualTo(model.nextLine());
            if (!(line instanceof SmtpLine.Complete complete)) {
                return;
            }
            assertThat(complete.bytes().length + 2).isLessThanOrEqualTo(maxLine);
            if (SmtpCommandParser.parse(complete.bytes()) instanceof SmtpCommand.Data) {
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                DataReader.Result result = new DataReader(reader, maxMessage).read(sink);
                ByteArrayOutputStream expectedBody = new ByteArrayOutputStream();
                DataReader.Status expected = model.data(expectedBody, maxMessage);
                assertThat(result.status()).isEqualTo(expected);
                byte[] body = sink.toByteArray();
                assertThat((long) body.length).isLessThanOrEqualTo(maxMessage);
                switch (result.status()) {
                    case ACCEPTED -> {
                        assertThat(body).isEqualTo(expectedBody.toByteArray());
                        assertThat(result.size()).isEqualTo(body.length);
                        assertNoBareLineEnding(body);
                    }
                    case TOO_LARGE -> {
                        assertThat(result.size()).isEqualTo(expectedBody.size());
                        byte[] all = expectedBody.toByteArray();
                        assertThat(body.length).isLessThan(all.length);
                        assertThat(Arrays.copyOf(all, body.length)).as("sink holds a prefix").isEqualTo(body);
                    }
                    case BARE_LINE_ENDING, END_OF_INPUT -> {
                        return;
                    }
                }
            }
        }
    }

    private static void assertNoBareLineEnding(byte[] body) {
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\r') {
                assertThat(i + 1 < body.length && body[i + 1] == '\n').as("CR at %d followed by LF", i).isTrue();
            } else if (body[i] == '\n') {
                assertThat(i > 0 && body[i - 1] == '\r').as("LF at %d preceded by CR", i).isTrue();
            }
        }
        if (body.length > 0) {
            assertThat(body[body.length - 1]).isEqualTo((byte) '\n');
        }
    }

    /** The rules written as plainly as possible, over the whole stream at once. */
    private static final class Model {
        private final byte[] s;
        private final int maxLine;
        private int p;

        Model(byte[] s, int maxLine) {
            this.s = s;
            this.maxLine = maxLine;
        }

        private int nextLineEnd(int from) {
            for (int i = from; i < s.length; i++) {
                if (s[i] == '\r' || s[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        SmtpLine nextLine() {
            int i = nextLineEnd(p);
            if (i < 0 || (s[i] == '\r' && i + 1 == s.length)) {
                return SmtpLine.END_OF_INPUT;
            }
            if (s[i] == '\n' || s[i + 1] != '\n') {
                return SmtpLine.BARE_LINE_ENDING;
            }
            int start = p;
            p = i + 2;
            return i - start + 2 > maxLine ? SmtpLine.TOO_LONG : new SmtpLine.Complete(Arrays.copyOfRange(s, start, i));
        }

        DataReader.Status data(ByteArrayOutputStream body, long max) {
            while (true) {
                if (p >= s.length) {
                    return DataReader.Status.END_OF_INPUT;
                }
                if (s[p] == '.') {
                    if (p + 1 >= s.length) {
                        return DataReader.Status.END_OF_INPUT;
                    }
                    if (s[p + 1] == '\n') {
                        return DataReader.Status.BARE_LINE_ENDING;
                    }
                    if (s[p + 1] == '\r') {
                        if (p + 2 >= s.length) {
                            return DataReader.Status.END_OF_INPUT;
                        }
                        if (s[p + 2] != '\n') {
                            return DataReader.Status.BARE_LINE_ENDING;
                        }
                        p += 3;
                        return body.size() > max ? DataReader.Status.TOO_LARGE : DataReader.Status.ACCEPTED;
                    }
                    p++;
                }
                int i = nextLineEnd(p);
                if (i < 0 || (s[i] == '\r' && i + 1 == s.length)) {
                    return DataReader.Status.END_OF_INPUT;
                }
                if (s[i] == '\n' || s[i + 1] != '\n') {
                    return DataReader.Status.BARE_LINE_ENDING;
                }
                body.write(s, p, i + 2 - p);
                p = i + 2;
            }
        }
    }
}
