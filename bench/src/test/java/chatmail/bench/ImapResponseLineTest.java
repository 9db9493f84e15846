package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImapResponseLineTest {

    @Test
    void exists_counts_are_recognised_in_any_case() {
        assertThat(ImapResponseLine.parse("* 17 EXISTS")).satisfies(r -> {
            assertThat(r.kind()).isEqualTo(ImapResponseLine.Kind.EXISTS);
            assertThat(r.number()).isEqualTo(17);
        });
        assertThat(ImapResponseLine.parse("* 0 exists").number()).isZero();
    }

    @Test
    void expunges_are_recognised_so_a_shrinking_mailbox_is_not_taken_for_no_arrival() {
        assertThat(ImapResponseLine.parse("* 4 EXPUNGE")).satisfies(r -> {
            assertThat(r.kind()).isEqualTo(ImapResponseLine.Kind.EXPUNGE);
            assertThat(r.number()).isEqualTo(4);
        });
        assertThat(ImapResponseLine.parse("* 4 expunge").kind()).isEqualTo(ImapResponseLine.Kind.EXPUNGE);
        assertThat(ImapResponseLine.parse("* x EXPUNGE").kind()).isEqualTo(ImapResponseLine.Kind.UNTAGGED);
        assertThat(ImapResponseLine.parse("* 4 EXPUNGED").kind()).isEqualTo(ImapResponseLine.Kind.UNTAGGED);
    }

    @Test
    void other_untagged_lines_are_not_counts() {
        assertThat(ImapResponseLine.parse("* 3 RECENT").kind()).isEqualTo(ImapResponseLine.Kind.UNTAGGED);
        assertThat(ImapResponseLine.parse("* OK [UIDNEXT 5] Predicted next UID").kind()).isEqualTo(ImapResponseLine.Kind.UNTAGGED);
        assertThat(ImapResponseLine.parse("* x EXISTS").kind()).isEqualTo(ImapResponseLine.Kind.UNTAGGED);
        assertThat(ImapResponseLine.parse("* 3 EXISTS more").kind()).isEqualTo(ImapResponseLine.Kind.UNTAGGED);
    }

    @Test
    void tagged_status_and_continuations() {
        ImapResponseLine ok = ImapResponseLine.parse("a3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).");
        assertThat(ok.kind()).isEqualTo(ImapResponseLine.Kind.TAGGED);
        assertThat(ok.tag()).isEqualTo("a3");
        assertThat(ok.ok()).isTrue();
        assertThat(ImapResponseLine.parse("a1 NO [AUTHENTICATIONFAILED] Authentication failed.").ok()).isFalse();
        assertThat(ImapResponseLine.parse("a2 ok").ok()).isTrue();
        assertThat(ImapResponseLine.parse("+ idling").kind()).isEqualTo(ImapResponseLine.Kind.CONTINUATION);
        assertThat(ImapResponseLine.parse("+").kind()).isEqualTo(ImapResponseLine.Kind.CONTINUATION);
    }

    @Test
    void a_trailing_literal_is_announced() {
        assertThat(ImapResponseLine.parse("* 1 FETCH (BODY[] {42}").literal()).isEqualTo(42);
        assertThat(ImapResponseLine.parse("* 1 FETCH (BODY[] {42+}").literal()).isEqualTo(42);
        assertThat(ImapResponseLine.parse("* OK {x}").literal()).isEqualTo(-1);
        assertThat(ImapResponseLine.parse("* 1 EXISTS").literal()).isEqualTo(-1);
    }

    @Test
    void a_line_without_tag_and_status_is_not_a_response() {
        assertThatThrownBy(() -> ImapResponseLine.parse("garbage")).isInstanceOf(IllegalArgumentException.class);
    }
}
