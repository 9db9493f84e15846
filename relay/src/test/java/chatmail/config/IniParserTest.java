package chatmail.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IniParserTest {

    private static String value(String text, String key) throws IniSyntaxException {
        return IniParser.parse(text).section("params").orElseThrow().get(key).orElseThrow().value();
    }

    @Test
    void bothSeparatorsCaseInsensitiveKeysAndEmptyValues() throws Exception {
        String text = "[params]\nMail_Domain: example.org\nmax_load_1m=5\nacme_email =\nurl = a:b=c\n";
        IniSection params = IniParser.parse(text).section("params").orElseThrow();
        assertThat(params.entries()).extracting(IniEntry::key, IniEntry::value, IniEntry::line).containsExactly(
                org.assertj.core.groups.Tuple.tuple("mail_domain", "example.org", 2),
                org.assertj.core.groups.Tuple.tuple("max_load_1m", "5", 3),
                org.assertj.core.groups.Tuple.tuple("acme_email", "", 4),
                org.assertj.core.groups.Tuple.tuple("url", "a:b=c", 5));
        assertThat(params.get("MAIL_DOMAIN")).isPresent();
    }

    @Test
    void commentsAreWholeLinesOnlyAndAreSkippedInsideValues() throws Exception {
        String text = "# top\n; also\n[params]\n   # indented comment\nk = v # not a comment\n"
                + "multi = one\n  # skipped\n  two\n";
        assertThat(value(text, "k")).isEqualTo("v # not a comment");
        assertThat(value(text, "multi")).isEqualTo("one\ntwo");
    }

    @Test
    void continuationLinesJoinWithNewlinesKeepInnerBlankLinesAndDropTrailingOnes() throws Exception {
        String text = "[params]\r\nprivacy_postal =\r\n    Example GmbH\r\n\r\n    Street 1\r\n\r\n\r\nnext = x\r\n";
        assertThat(value(text, "privacy_postal")).isEqualTo("\nExample GmbH\n\nStreet 1");
        assertThat(value(text, "next")).isEqualTo("x");
    }

    @Test
    void aLineIndentedNoDeeperThanItsKeyStartsANewKey() throws Exception {
        String text = "[params]\n  a = 1\n  b = 2\n    c = 3\n";
        assertThat(value(text, "a")).isEqualTo("1");
        assertThat(value(text, "b")).isEqualTo("2\nc = 3");
    }

    @Test
    void sectionsKeepTheirNamesAndAByteOrderMarkIsSkipped() throws Exception {
        IniFile ini = IniParser.parse("\uFEFF[params] trailing\na = 1\n[Other]\na = 2\n");
        assertThat(ini.sections()).extracting(IniSection::name).containsExactly("params", "Other");
        assertThat(ini.section("other")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            [params]\\na = 1\\nA = 2          | 3 | key 'a' appears twice in [params] (first on line 2)
            [params]\\n[x]\\n[params]         | 3 | section [params] appears twice
            a = 1\\n[params]                  | 1 | section header
            [params]\\njust words             | 2 | expected 'key = value'
            [params]\\n = value               | 2 | key is missing
            [params]\\n[]                        | 2 | expected 'key = value'
            """)
    void malformedInputIsRejectedWithItsLineNumber(String text, int line, String message) {
        assertThatThrownBy(() -> IniParser.parse(text.replace("\\n", "\n")))
                .isInstanceOfSatisfying(IniSyntaxException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining("line " + line + ":")
                .hasMessageContaining(message);
    }

    @Test
    void toTextReadsBackToTheSameStructure() throws Exception {
        String text = "[params]\nmail_domain: x.org\nempty =\nmulti =\n  a\n\n  b\n[z]\nK=v\n";
        IniFile first = IniParser.parse(text);
        IniFile second = IniParser.parse(first.toText());
        assertThat(withoutLines(second)).isEqualTo(withoutLines(first));
    }

    private static java.util.List<String> withoutLines(IniFile ini) {
        return ini.sections().stream()
                .flatMap(s -> java.util.stream.Stream.concat(java.util.stream.Stream.of("[" + s.name() + "]"),
                        s.entries().stream().map(e -> e.key() + "=" + e.value())))
                .toList();
    }
}
