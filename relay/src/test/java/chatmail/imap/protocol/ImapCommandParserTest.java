package chatmail.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.imap.protocol.ImapCommand.StoreMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImapCommandParserTest {

    private static ImapRequest parse(String command) throws ImapParseException {
        return ImapCommandParser.parse(command.getBytes(StandardCharsets.UTF_8));
    }

    private static ImapCommand command(String command) throws ImapParseException {
        return parse(command).command();
    }

    private static ImapParseException error(String command) {
        try {
            parse(command);
        } catch (ImapParseException e) {
            return e;
        }
        throw new AssertionError("parsed: " + command);
    }

    @Test
    void loginWithQuotedStringsKeepsEscapedQuoteBackslashAndUtf8() throws Exception {
        ImapRequest r = parse("a1 LOGIN \"me@chat.example\" \"p\\\"w\\\\d!#$%&'()*+,-./:;<=>?@[]^_`{|}~ü\"");
        assertThat(r.tag()).isEqualTo("a1");
        assertThat(r.command()).isEqualTo(new ImapCommand.Login("me@chat.example",
                "p\"w\\d!#$%&'()*+,-./:;<=>?@[]^_`{|}~ü"));
    }

    @Test
    void loginWithLiteralsSynchronizingAndNot() throws Exception {
        assertThat(command("x LOGIN {15}\r\nme@chat.example {5+}\r\n\"{}\\)"))
                .isEqualTo(new ImapCommand.Login("me@chat.example", "\"{}\\)"));
    }

    @Test
    void loginWithAtoms() throws Exception {
        assertThat(command("1 login user pass]word")).isEqualTo(new ImapCommand.Login("user", "pass]word"));
    }

    @Test
    void loginPasswordIsNotPrinted() throws Exception {
        assertThat(command("1 LOGIN u secret").toString()).doesNotContain("secret");
    }

    @Test
    void deltaChatHeaderFetch() throws Exception {
        ImapCommand c = command("a6 UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
                + "(MESSAGE-ID FROM IN-REPLY-TO)])");
        assertThat(c).isEqualTo(new ImapCommand.Fetch(true, SequenceSet.of(1, SequenceSet.STAR), List.of(
                new FetchItem.Uid(), new FetchItem.Flags(), new FetchItem.Rfc822Size(),
                new FetchItem.Body(true, new Section(List.of(), Section.Kind.HEADER_FIELDS,
                        List.of("MESSAGE-ID", "FROM", "IN-REPLY-TO")), -1, -1)), -1));
        FetchItem.Body body = (FetchItem.Body) ((ImapCommand.Fetch) c).items().get(3);
        assertThat(body.responseName()).isEqualTo("BODY[HEADER.FIELDS (MESSAGE-ID FROM IN-REPLY-TO)]");
    }

    @Test
    void fetchPartsPartialAndChangedSince() throws Exception {
        ImapCommand.Fetch f = (ImapCommand.Fetch) command("t FETCH 2,4:6 (BODY[1.2.MIME] BODY[]<10.20> "
                + "RFC822 RFC822.HEADER MODSEQ BODY) (CHANGEDSINCE 12345678901)");
        assertThat(f.uid()).isFalse();
        assertThat(f.set().toString()).isEqualTo("2,4:6");
        assertThat(f.changedSince()).isEqualTo(12345678901L);
        assertThat(f.items()).containsExactly(
                new FetchItem.Body(false, new Section(List.of(1, 2), Section.Kind.MIME, List.of()), -1, -1),
                new FetchItem.Body(false, Section.WHOLE, 10, 20),
                new FetchItem.Rfc822(Section.Kind.ALL),
                new FetchItem.Rfc822(Section.Kind.HEADER),
                new FetchItem.ModSeq(),
                new FetchItem.BodyStructure(false));
        assertThat(((FetchItem.Body) f.items().get(1)).responseName()).isEqualTo("BODY[]<10>");
    }

    @Test
    void fetchMacrosExpand() throws Exception {
        assertThat(((ImapCommand.Fetch) command("t FETCH 1 FAST")).items()).containsExactly(
                new FetchItem.Flags(), new FetchItem.InternalDate(), new FetchItem.Rfc822Size());
        assertThat(((ImapCommand.Fetch) command("t FETCH 1 ALL")).items()).hasSize(4);
        assertThat(((ImapCommand.Fetch) command("t FETCH 1 FULL")).items()).hasSize(5);
        assertThat(((ImapCommand.Fetch) command("t FETCH 1 FLAGS")).items()).containsExactly(new FetchItem.Flags());
    }

    @Test
    void sequenceSetStarResolvesAtUse() throws Exception {
        SequenceSet set = ((ImapCommand.Fetch) command("t UID FETCH 5:* FLAGS")).set();
        // 5:* when the highest UID is 4 is 4:5 and so includes 4 (RFC 3501 6.4.8).
        assertThat(set.contains(4, 4)).isTrue();
        assertThat(set.contains(3, 4)).isFalse();
        SequenceSet explicit = ((ImapCommand.Fetch) command("t UID FETCH 5:504 FLAGS")).set();
        assertThat(explicit.contains(4, 4)).isFalse();
        assertThat(explicit.usesStar()).isFalse();
    }

    @Test
    void storeForms() throws Exception {
        assertThat(command("s UID STORE 3 +FLAGS.SILENT (\\Deleted \\Seen)")).isEqualTo(new ImapCommand.Store(
                true, SequenceSet.of(3, 3), -1, StoreMode.ADD, true, List.of("\\Deleted", "\\Seen")));
        assertThat(command("s STORE 1:2 -FLAGS \\Seen")).isEqualTo(new ImapCommand.Store(
                false, SequenceSet.of(1, 2), -1, StoreMode.REMOVE, false, List.of("\\Seen")));
        assertThat(command("s STORE 1 (UNCHANGEDSINCE 7) FLAGS ($Label)")).isEqualTo(new ImapCommand.Store(
                false, SequenceSet.of(1, 1), 7, StoreMode.REPLACE, false, List.of("$Label")));
    }

    @Test
    void searchCriteria() throws Exception {
        ImapCommand.Search s = (ImapCommand.Search) command(
                "s UID SEARCH CHARSET UTF-8 OR SEEN (UID 3:* NOT DELETED) HEADER Message-ID \"<a@b>\" SINCE 1-Feb-1994");
        assertThat(s.uid()).isTrue();
        assertThat(s.charset()).isEqualTo("UTF-8");
        assertThat(s.criteria().keys()).containsExactly(
                new SearchKey.Or(new SearchKey.Flag("\\Seen", true), new SearchKey.And(List.of(
                        new SearchKey.Uid(SequenceSet.of(3, SequenceSet.STAR)),
                        new SearchKey.Not(new SearchKey.Flag("\\Deleted", true))))),
                new SearchKey.Header("Message-ID", "<a@b>"),
                new SearchKey.Date(SearchKey.Comparison.SINCE, false, LocalDate.of(1994, 2, 1)));
    }

    @Test
    void searchNestingIsBounded() {
        assertThat(error("s SEARCH " + "NOT ".repeat(100) + "ALL").getMessage()).contains("nested too deeply");
        assertThat(error("s SEARCH " + "(".repeat(5000)).getMessage()).contains("nested too deeply");
    }

    @Test
    void appendWithFlagsDateAndLiteral() throws Exception {
        ImapCommand.Append a = (ImapCommand.Append) command(
                "a APPEND Sent (\\Seen) \" 7-Feb-2025 10:00:00 +0100\" {12+}\r\nHello\r\nWorld");
        assertThat(a.mailbox()).isEqualTo("Sent");
        assertThat(a.flags()).containsExactly("\\Seen");
        assertThat(a.date()).isEqualTo(OffsetDateTime.of(2025, 2, 7, 10, 0, 0, 0, ZoneOffset.ofHours(1)));
        assertThat(new String(a.message().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("Hello\r\nWorld");
    }

    @Test
    void metadataCommands() throws Exception {
        assertThat(command("m SETMETADATA INBOX (/private/devicetoken {5+}\r\ntoken)")).isEqualTo(
                new ImapCommand.SetMetadata("INBOX", List.of(new ImapCommand.MetadataEntry("/private/devicetoken", "token"))));
        assertThat(command("m SETMETADATA INBOX (/private/devicetoken NIL)")).isEqualTo(
                new ImapCommand.SetMetadata("INBOX", List.of(new ImapCommand.MetadataEntry("/private/devicetoken", null))));
        assertThat(command("m GETMETADATA (DEPTH infinity MAXSIZE 1024) \"\" (/shared/admin /shared/comment)"))
                .isEqualTo(new ImapCommand.GetMetadata(1024, "infinity", "", List.of("/shared/admin", "/shared/comment")));
        assertThat(command("m GETMETADATA \"\" /shared/admin"))
                .isEqualTo(new ImapCommand.GetMetadata(-1, "0", "", List.of("/shared/admin")));
    }

    @Test
    void listForms() throws Exception {
        assertThat(command("l LIST \"\" \"\"")).isEqualTo(
                new ImapCommand.ListMailboxes(false, "", List.of(""), List.of(), List.of()));
        assertThat(command("l LIST \"\" *")).isEqualTo(
                new ImapCommand.ListMailboxes(false, "", List.of("*"), List.of(), List.of()));
        assertThat(command("l LIST (SPECIAL-USE) \"\" (% INBOX) RETURN (SPECIAL-USE)")).isEqualTo(
                new ImapCommand.ListMailboxes(false, "", List.of("%", "INBOX"), List.of("SPECIAL-USE"),
                        List.of("SPECIAL-USE")));
        assertThat(command("l LSUB \"\" %")).isEqualTo(
                new ImapCommand.ListMailboxes(true, "", List.of("%"), List.of(), List.of()));
    }

    @Test
    void otherCommands() throws Exception {
        assertThat(command("a SELECT inbox (CONDSTORE)")).isEqualTo(new ImapCommand.Select("inbox", false, true));
        assertThat(command("a EXAMINE \"Sent\"")).isEqualTo(new ImapCommand.Select("Sent", true, false));
        assertThat(command("a ID NIL")).isEqualTo(new ImapCommand.Id(null));
        assertThat(command("a AUTHENTICATE PLAIN =")).isEqualTo(new ImapCommand.Authenticate("PLAIN", "="));
        assertThat(command("a AUTHENTICATE plain")).isEqualTo(new ImapCommand.Authenticate("PLAIN", null));
        assertThat(command("a UID MOVE 1:3 DeltaChat")).isEqualTo(
                new ImapCommand.Copy(true, SequenceSet.of(1, 3), "DeltaChat", true));
        assertThat(command("a UID EXPUNGE 4")).isEqualTo(new ImapCommand.Expunge(SequenceSet.of(4, 4)));
        assertThat(command("a STATUS INBOX (messages uidnext)")).isEqualTo(
                new ImapCommand.Status("INBOX", List.of("MESSAGES", "UIDNEXT")));
        assertThat(command("a idle")).isEqualTo(new ImapCommand.Idle());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a FOO|Error in IMAP command FOO: Unknown command",
        "a UID FOO 1|Error in IMAP command UID: Unknown UID command",
        "a FETCH 0 FLAGS|Error in IMAP command FETCH: Invalid sequence set: 0 is not a message number",
        "a FETCH 1 (FLAGS|Error in IMAP command FETCH: Invalid data item list",
        "a FETCH 1 BODY.PEEK|Error in IMAP command FETCH: BODY.PEEK needs a section",
        "a LOGIN \"unterminated|Error in IMAP command LOGIN: Unterminated quoted string",
        "a LOGIN user|Error in IMAP command LOGIN: Missing space",
        "a LOGIN {99}|Error in IMAP command LOGIN: Literal size must end the line",
        "a NOOP extra|Error in IMAP command NOOP: Unexpected text after the arguments",
        "a FETCH 4294967296 FLAGS|Error in IMAP command FETCH: Invalid sequence set",
        "+ NOOP|Invalid tag",
    })
    void errorsSayWhatIsWrong(String command, String text) {
        assertThat(error(command).responseText()).isEqualTo(text);
    }

    @Test
    void errorKeepsTagForTheResponse() {
        assertThat(error("tag7 FETCH x").tag()).isEqualTo("tag7");
        assertThat(error("").tag()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a LOGIN {5}\r\nab", "a LOGIN \"a\\x\" b", "a SEARCH", "a STORE 1 FLAGS.LOUD (\\Seen)",
        "a SELECT INBOX (QRESYNC)", "a GETMETADATA \"\" (shared)", "a FETCH 1 BODY[0]", "a FETCH 1 BODY[MIME]"})
    void malformedCommandsAreRejected(String command) {
        assertThat(error(command)).isInstanceOf(ImapParseException.class);
    }

    @Test
    void formatterRoundTripsTheSeedCommands() throws Exception {
        for (String c : List.of("a1 LOGIN \"u\" \"p\\\"\"", "a UID SEARCH OR SEEN NOT KEYWORD $x SENTBEFORE 2-Mar-2020",
                "a APPEND X (\\Seen) \"01-Jan-2020 00:00:00 -0130\" {1}\r\nx", "a LIST (A) \"\" (\"x\" y) RETURN (B)")) {
            ImapRequest r = parse(c);
            assertThat(ImapCommandParser.parse(ImapCommandFormatter.format(r))).isEqualTo(r);
        }
        assertThatThrownBy(() -> parse("a FETCH 1:2:3 FLAGS")).isInstanceOf(ImapParseException.class);
    }
}
