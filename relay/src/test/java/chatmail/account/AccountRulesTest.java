package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Account;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC ACC-1: which first logins create an account, and that every refusal looks like a wrong password. */
class AccountRulesTest {

    private static final String GOOD_PASSWORD = "correct-9";

    @TempDir
    Path dir;

    static Stream<Arguments> defaultRules() {
        String d = "@" + AccountsFixture.DOMAIN;
        return Stream.of(
                Arguments.of("8-character local part", "abcdefgh" + d, GOOD_PASSWORD, false),
                Arguments.of("9-character local part", "abcdefghi" + d, GOOD_PASSWORD, true),
                Arguments.of("10-character local part", "abcdefghij" + d, GOOD_PASSWORD, false),
                Arguments.of("dot, underscore and hyphen", "ab.c_d-e9" + d, GOOD_PASSWORD, true),
                Arguments.of("upper-case letter", "Abcdefghi" + d, GOOD_PASSWORD, false),
                Arguments.of("plus sign", "abcd+efgh" + d, GOOD_PASSWORD, false),
                Arguments.of("non-ASCII letter", "abcdéfghi" + d, GOOD_PASSWORD, false),
                Arguments.of("space", "abcd efgh" + d, GOOD_PASSWORD, false),
                Arguments.of("domain in upper case", "abcdefghi@CHATMAIL.LOCALHOST", GOOD_PASSWORD, true),
                Arguments.of("wrong domain", "abcdefghi@example.org", GOOD_PASSWORD, false),
                Arguments.of("subdomain of ours", "abcdefghi@x.chatmail.localhost", GOOD_PASSWORD, false),
                Arguments.of("two @", "abcdefghi@x" + d, GOOD_PASSWORD, false),
                Arguments.of("no @", "abcdefghi", GOOD_PASSWORD, false),
                Arguments.of("empty local part", d, GOOD_PASSWORD, false),
                Arguments.of("empty address", "", GOOD_PASSWORD, false),
                Arguments.of("8-character password", "abcdefghi" + d, "12345678", false),
                Arguments.of("9-character password", "abcdefghi" + d, "123456789", true),
                Arguments.of("empty password", "abcdefghi" + d, "", false),
                // 8 characters but 16 UTF-16 units: a person counts 8.
                Arguments.of("8 emoji as password", "abcdefghi" + d, "😀😀😀😀😀😀😀😀", false),
                Arguments.of("9 non-ASCII characters as password", "abcdefghi" + d, "äöüßéèêëï", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defaultRules")
    void defaultConfiguration(String name, String address, String password, boolean created) {
        try (AccountsFixture f = new AccountsFixture(dir)) {
            check(f, address, password, created);
        }
    }

    static Stream<Arguments> widerRules() {
        String d = "@" + AccountsFixture.DOMAIN;
        return Stream.of(
                Arguments.of("2 characters", "ab" + d, false),
                Arguments.of("3 characters", "abc" + d, true),
                Arguments.of("20 characters", "a".repeat(20) + d, true),
                Arguments.of("21 characters", "a".repeat(21) + d, false),
                Arguments.of("9 characters", "abcdefghi" + d, true));
    }

    @ParameterizedTest(name = "username_min_length=3, username_max_length=20: {0}")
    @MethodSource("widerRules")
    void configuredLengths(String name, String address, boolean created) {
        try (AccountsFixture f = new AccountsFixture(dir, b -> {
            b.usernameMinLength = 3;
            b.usernameMaxLength = 20;
        })) {
            check(f, address, GOOD_PASSWORD, created);
        }
    }

    private static void check(AccountsFixture f, String address, String password, boolean created) {
        Optional<Account> login = f.accounts.login(address, password);
        if (created) {
            assertThat(login).as("login of %s", address).isPresent();
            assertThat(login.get().address()).isEqualTo(AddressRules.normalize(address));
            assertThat(f.store.findAccount(AddressRules.normalize(address))).isPresent();
            assertThat(f.store.accountCount()).isEqualTo(1);
            // The account now exists: the same credentials log in again.
            assertThat(f.accounts.login(address, password)).isPresent();
        } else {
            assertThat(login).as("login of %s", address).isEmpty();
            assertThat(f.store.accountCount()).isZero();
        }
    }
}
