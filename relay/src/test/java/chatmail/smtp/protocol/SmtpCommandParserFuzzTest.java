package chatmail.smtp.protocol;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link SmtpCommandParser} with arbitrary line bytes. Properties: the parser returns
 * one of its own result types for every input and throws nothing; a rejection carries one of
 * the four syntax replies; every accepted command, written back with {@code toLine()}, is a
 * single line that parses to an equal command (so MAIL/RCPT addresses and parameters keep
 * their meaning). {@code mvn test} replays the seeds in
 * {@code src/test/resources/chatmail/smtp/protocol/SmtpCommandParserFuzzTestInputs/parse};
 * {@code scripts/fuzz} fuzzes for real.
 */
class SmtpCommandParserFuzzTest {
    private static final Set<String> SYNTAX_REPLIES = Set.of("500 5.5.2", "501 5.5.4", "502 5.5.1", "555 5.5.4");

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"MAIL FROM:<", "RCPT TO:<", "> SIZE=", " BODY=8BITMIME", " BODY=7BIT", " SMTPUTF8",
            " AUTH=<>", "@[IPv6:", "@[127.0.0.1]", "\"", "\\", "postmaster", "EHLO ", "AUTH PLAIN ", "@a,@b:",
            "ü", "İ", "ß"})
    void parse(byte[] line) {
        SmtpCommand command = SmtpCommandParser.parse(line);
        switch (command) {
            case SmtpCommand.Rejected rejected -> {
                SmtpReply reply = rejected.reply();
                assertThat(SYNTAX_REPLIES).contains(reply.code() + " " + reply.enhancedCode());
            }
            case SmtpCommand.Request request -> {
                String again = request.toLine();
                assertThat(again).doesNotContain("\r", "\n");
                assertThat(SmtpCommandParser.parse(again)).isEqualTo(request);
                assertThat(SmtpCommandParser.parse(again.getBytes(StandardCharsets.UTF_8))).isEqualTo(request);
            }
        }
    }
}
