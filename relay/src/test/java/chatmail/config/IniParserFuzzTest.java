package chatmail.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes the chatmail.ini reader. Properties: {@link IniParser} throws nothing but
 * {@link IniSyntaxException}; whatever it parses, written back with {@link IniFile#toText()},
 * parses to the same sections, keys and values (line numbers move: comments are not kept); the loader on top throws nothing but {@link ConfigException}.
 * {@code mvn test} replays the seeds in
 * {@code src/test/resources/chatmail/config/IniParserFuzzTestInputs/parse}; {@code scripts/fuzz}
 * fuzzes for real.
 */
class IniParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    // No CR or LF in entries: Jazzer 0.30 writes them unescaped into its dictionary file, which
    // libFuzzer then refuses (docs/decisions.md); the seeds carry plenty of line structure.
    @DictionaryEntries({"[params]", "mail_domain = ", " = ", ": ", "# ", "; ", "max_mailbox_size", "500M",
            "2G", "tls_external_cert_and_key", "listen_addresses", "true", "[DEFAULT]"})
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        IniFile ini;
        try {
            ini = IniParser.parse(text);
        } catch (IniSyntaxException expected) {
            return;
        }
        try {
            assertThat(meaning(IniParser.parse(ini.toText()))).isEqualTo(meaning(ini));
        } catch (IniSyntaxException e) {
            throw new AssertionError("toText() of a parsed file does not parse: " + e.getMessage(), e);
        }
        try {
            ConfigLoader.load(ini);
        } catch (ConfigException expected) {
            // a bad value is reported, never thrown as anything else
        }
    }

    /** Section names with their key/value pairs in order; what the file means, without positions. */
    private static List<List<String>> meaning(IniFile ini) {
        return ini.sections().stream()
                .map(section -> {
                    java.util.ArrayList<String> out = new java.util.ArrayList<>();
                    out.add("[" + section.name() + "]");
                    section.entries().forEach(e -> out.add(e.key() + "=" + e.value()));
                    return (List<String>) out;
                })
                .toList();
    }
}
