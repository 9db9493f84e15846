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
        // Work counted, not timed: each character look-up of pattern and name. A backtracking
        // matcher needs exponentially many for this pattern; the table needs their product.
        CountingChars pattern = new CountingChars("*a".repeat(500) + "b");
        CountingChars name = new CountingChars("a".repeat(255));
        assertThat(MailboxNames.match(pattern, name)).isFalse();
        long product = (long) (pattern.length() + 1) * (name.length() + 1);
        assertThat(pattern.reads + name.reads).isLessThanOrEqualTo(2 * product);
    }

    /** A string that counts how often its characters are read. */
    private static final class CountingChars implements CharSequence {
        private final String s;
        long reads;

        CountingChars(String s) {
            this.s = s;
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public char charAt(int index) {
            reads++;
            return s.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String toString() {
            return s;
        }
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
