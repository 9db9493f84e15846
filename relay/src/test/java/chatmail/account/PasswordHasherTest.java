package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC ACC-3: the reference relay's {SHA512-CRYPT} format, checked against other implementations' output. */
class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void hashesInTheReferenceFormatWithARandomSalt() {
        String a = hasher.hash("secret-password");
        String b = hasher.hash("secret-password");

        assertThat(a).matches("\\{SHA512-CRYPT}\\$6\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{86}");
        assertThat(a).isNotEqualTo(b);
        assertThat(hasher.verify("secret-password", a)).isTrue();
        assertThat(hasher.verify("secret-password", b)).isTrue();
        assertThat(hasher.verify("secret-passwore", a)).isFalse();
    }

    /**
     * Known-good hashes made by other implementations: {@code openssl passwd -6 -salt saltsalt
     * password} (OpenSSL 3.0.19) and glibc's crypt(3), which Dovecot uses (Python's
     * {@code crypt.crypt(pw, salt)}); both gave the same first two. The non-ASCII one proves the
     * password's bytes are UTF-8, as clients send them; the third has an explicit round count.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "password   | {SHA512-CRYPT}$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
        "Pässwört-9 | {SHA512-CRYPT}$6$abcdefghijklmnop$Dkjqrq1haNlReDpPFduIpKW5Gkyqz64lZ920tdAKs8sJd3HpNY0isdxQ4LBADEydcAtWeO8ox23/9eNtbB0VH0",
        "password   | {SHA512-CRYPT}$6$rounds=10000$saltsaltsalt$mkluYssD63/hNdYjEc97.198HMPlOZP9iVIZL8JO57jznWHoD.GFGtvTmrrkA/0V8e813uf.aeTedngYPR9e0/",
    })
    void verifiesHashesMadeByOtherImplementations(String password, String hash) {
        assertThat(hasher.verify(password, hash)).isTrue();
        assertThat(hasher.verify(password + "x", hash)).isFalse();
        assertThat(hasher.verify(password.toUpperCase(), hash)).isFalse();
        // Without the scheme prefix too, as some exports write it.
        assertThat(hasher.verify(password, hash.substring("{SHA512-CRYPT}".length()))).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''",
        "{SHA512-CRYPT}",
        "{SHA512-CRYPT}$6$",
        "{SHA512-CRYPT}$1$saltsalt$RPNPfrMvb4fuS5Ktz0jz1/",
        "{PLAIN}password",
        "password",
        "{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
    })
    void otherOrBrokenFormatsNeverVerify(String stored) {
        assertThat(hasher.verify("password", stored)).isFalse();
    }
}
