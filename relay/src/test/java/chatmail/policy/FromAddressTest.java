package chatmail.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FromAddressTest {

    @Test
    void plainFormsAreReadWithoutTheParser() {
        assertThat(FromAddress.plain("<alice@example.org>")).isEqualTo(new FromAddress("alice", "example.org"));
        assertThat(FromAddress.plain("alice.b+tag@mail.example.org")).isEqualTo(new FromAddress("alice.b+tag", "mail.example.org"));
        assertThat(FromAddress.plain("\"Alice B.\" <alice@example.org>")).isEqualTo(new FromAddress("alice", "example.org"));
        assertThat(FromAddress.plain("\"\" \t<a@b>")).isEqualTo(new FromAddress("a", "b"));
    }

    @Test
    void everythingElseIsLeftToTheParser() {
        for (String v : List.of("", "<>", "<@example.org>", "<alice@>", "alice", "<alice@example.org", "alice@example.org>",
                "Alice <alice@example.org>", "\"Alice\"<alice@example.org>", "\"Al\\\"ice\" <alice@example.org>",
                "\"=?utf-8?q?x?=\" <a@b>x", "<a..b@example.org>", "<.a@example.org>", "<a@example.org.>",
                "<a@[127.0.0.1]>", "a@b, c@d", "<a@b@c>", "<\"a b\"@example.org>", "<a@b> (comment)",
                "\"Ali\u00e9\" <a@b>", "<a b@c>", "\"=?bogus?Q?x?=\" <a@b>", "\"x =?utf-8?B?!!!?=\" <a@b>")) {
            assertThat(FromAddress.plain(v)).as(v).isNull();
        }
    }

    /** mime4j's decoder throws java.lang.Error on bad base64 in an encoded word; that is no single author, not a dead session. */
    @Test
    void anUndecodableEncodedWordIsNoAuthor() {
        assertThat(FromAddress.single(List.of("=?utf-8?B?!!!?= <a@example.org>"))).isEmpty();
        assertThat(FromAddress.single(List.of("\"=?utf-8?B?!!!?=\" <a@example.org>"))).isEmpty();
        assertThat(FromAddress.single(List.of("\"=?bogus?Q?x?=\" <a@example.org>")))
                .isEqualTo(FromAddress.parsed(List.of("\"=?bogus?Q?x?=\" <a@example.org>")));
    }

    /** Whatever the shortcut reads, mime4j's parser reads alike; whatever it does not, the parser decides. */
    @Test
    void theShortcutAgreesWithTheParser() {
        Random random = new Random(7);
        String[] pieces = {"a", "Z", "0", ".", "..", "@", "<", ">", "\"", " ", "\t", "\\", "=?", "?=", "!", "#", "$", "%",
                "&", "'", "*", "+", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~", "-", "(", ")", ",", ";", ":", "[",
                "]", "\u00e9"};
        int read = 0;
        for (int round = 0; round < 50_000; round++) {
            StringBuilder b = new StringBuilder();
            int form = random.nextInt(3);
            if (form == 2) {
                b.append('"');
                append(b, pieces, random, 4);
                b.append("\" ");
            }
            if (form >= 1) {
                b.append('<');
            }
            append(b, pieces, random, 4);
            b.append('@');
            append(b, pieces, random, 4);
            if (form >= 1) {
                b.append('>');
            }
            String value = b.toString().strip();
            FromAddress plain = FromAddress.plain(value);
            if (plain != null) {
                read++;
                assertThat(FromAddress.parsed(List.of(value))).as(value).isEqualTo(Optional.of(plain));
            }
            assertThat(FromAddress.single(List.of(value))).as(value).isEqualTo(plain != null ? Optional.of(plain)
                    : FromAddress.parsed(List.of(value)));
        }
        assertThat(read).isGreaterThan(2_500);
    }

    private static void append(StringBuilder b, String[] pieces, Random random, int max) {
        int count = 1 + random.nextInt(max);
        for (int i = 0; i < count; i++) {
            b.append(pieces[random.nextInt(pieces.length)]);
        }
    }
}
