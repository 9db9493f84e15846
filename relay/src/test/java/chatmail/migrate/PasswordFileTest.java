package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.account.PasswordHasher;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordFileTest {
    /** Made by Dovecot's {@code doveadm pw -s SHA512-CRYPT -p secretpw123}, as chatmaild's crypt() makes them. */
    static final String DOVEADM_HASH = "{SHA512-CRYPT}$6$NwY9RRoS3guRGE8r$IyD0.3WuBhTRq2mvItvYMwqlnNM8SVOCmm2VghTd0eZl"
            + "WcuXQqxruRzSSNk9VbKzj0yWy3sKJ0IHfdxeCmHvC/";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theReferenceFormatIsKeptAndVerifiesTheOldPassword() throws ReferenceFormatException {
        String hash = PasswordFile.parse(bytes(DOVEADM_HASH));
        assertThat(hash).isEqualTo(DOVEADM_HASH);
        assertThat(new PasswordHasher().verify("secretpw123", hash)).isTrue();
        assertThat(new PasswordHasher().verify("secretpw124", hash)).isFalse();
    }

    @Test
    void aTrailingNewlineAndAMissingSchemePrefixAreTolerated() throws ReferenceFormatException {
        assertThat(PasswordFile.parse(bytes(DOVEADM_HASH + "\n"))).isEqualTo(DOVEADM_HASH);
        assertThat(PasswordFile.parse(bytes(DOVEADM_HASH.substring("{SHA512-CRYPT}".length())))).isEqualTo(DOVEADM_HASH);
        String withRounds = "{SHA512-CRYPT}$6$rounds=5000$NwY9RRoS3guRGE8r$" + DOVEADM_HASH.substring(DOVEADM_HASH.lastIndexOf('$') + 1);
        assertThat(PasswordFile.parse(bytes(withRounds))).isEqualTo(withRounds);
    }

    @Test
    void otherSchemesAndGarbageAreRefused() {
        assertThatThrownBy(() -> PasswordFile.parse(bytes("{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuv")))
                .isInstanceOf(ReferenceFormatException.class).hasMessageContaining("not SHA512-CRYPT");
        assertThatThrownBy(() -> PasswordFile.parse(bytes("{SHA512-CRYPT}$6$salt$tooshort")))
                .isInstanceOf(ReferenceFormatException.class).hasMessageContaining("does not hold");
        assertThatThrownBy(() -> PasswordFile.parse(bytes("")))
                .isInstanceOf(ReferenceFormatException.class);
        assertThatThrownBy(() -> PasswordFile.parse(bytes("{PLAIN}secret")))
                .isInstanceOf(ReferenceFormatException.class);
        assertThatThrownBy(() -> PasswordFile.parse(new byte[2000]))
                .isInstanceOf(ReferenceFormatException.class).hasMessageContaining("too large");
    }
}
