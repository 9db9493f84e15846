package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailboxNamesTest {
    @Test
    void listWildcards() {
        assertThat(MailboxNames.matches("*", "a.b.c")).isTrue();
        assertThat(MailboxNames.matches("%", "a.b")).isFalse();
        assertThat(MailboxNames.matches("a.%", "a.b")).isTrue();
        assertThat(MailboxNames.matches("a.%", "a.b.c")).isFalse();
        assertThat(MailboxNames.matches("a*c", "a.b.c")).isTrue();
        assertThat(MailboxNames.matches("inbox", "INBOX")).isTrue();
        assertThat(MailboxNames.matches("Sent", "sent")).isFalse();
        assertThat(MailboxNames.matches("", "INBOX")).isFalse();
    }

    @Test
    void pathologicalPatternsStayCheap() {
        String name = "a".repeat(255);
        long start = System.nanoTime();
        assertThat(MailboxNames.matches("*a".repeat(500) + "b", name)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    }

    @Test
    void namesAndSpecialUse() {
        assertThat(MailboxNames.normalize("inBox")).isEqualTo("INBOX");
        assertThat(MailboxNames.invalidForCreate("a..b")).isPresent();
        assertThat(MailboxNames.invalidForCreate("a*")).isPresent();
        assertThat(MailboxNames.invalidForCreate("DeltaChat")).isEmpty();
        assertThat(MailboxNames.specialUse("Sent")).contains("\\Sent");
        assertThat(MailboxNames.specialUse("DeltaChat")).isEmpty();
    }
}
