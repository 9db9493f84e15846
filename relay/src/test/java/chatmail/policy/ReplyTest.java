package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void formatsOneLineWithEnhancedCode() {
        assertThat(Replies.FROM_MISMATCH.line()).isEqualTo("550 5.7.1 From header does not match sender");
        assertThat(Replies.ENCRYPTION_NEEDED.line()).isEqualTo("523 5.7.10 Encryption Needed: Invalid Unencrypted Mail");
        assertThat(Replies.tooMuchMailFrom("a@b").line()).isEqualTo("450 4.7.1 Too much mail from <a@b>");
        assertThat(Replies.LOCAL_FAILURE.withDetail("(disk)").line()).isEqualTo("451 4.3.0 Temporary local problem, try again later (disk)");
        assertThat(Replies.BARE_LINE_ENDING.isPermanent()).isTrue();
        assertThat(Replies.tooMuchMailFrom("a@b").isTransient()).isTrue();
    }

    @Test
    void refusesInconsistentCodesAndLineBreaks() {
        assertThatThrownBy(() -> new Reply(550, "4.7.1", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Reply(99, "5.7.1", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Replies.tooMuchMailFrom("a@b>\r\n250 2.0.0 Ok")).isInstanceOf(IllegalArgumentException.class);
    }
}
