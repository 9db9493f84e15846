package chatmail.account;

import static chatmail.account.AccountsFixture.address;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.limits.HashingPool;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persisted login verifiers: what a restarted relay may skip (the hash) and what it may not
 * (a wrong password, a changed stored hash, another key). Hashes are counted by the pool.
 */
class LoginVerifiersTest {

    private static final String PASSWORD = "the-right-password";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private SqliteMailStore store;
    private HashingPool pool;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** A relay's accounts as after a (re)start: a fresh store, a fresh pool, the key from {@code keyDir}. */
    private Accounts start(Path keyDir) {
        close();
        store = SqliteMailStore.open(dir, clock);
        pool = new HashingPool(1);
        return accountsOn(keyDir);
    }

    private Accounts accountsOn(Path keyDir) {
        Config.Builder b = Config.builder(AccountsFixture.DOMAIN);
        b.dataDir = keyDir;
        return new Accounts(b.build(), store, ResourceProbe.ample(), clock, pool);
    }

    @Test
    void aRestartedRelayAcceptsAKnownLoginWithoutHashingAndAWrongOneStillFails() {
        Accounts first = start(dir);
        assertThat(first.login(address("restarts1"), PASSWORD)).isPresent();
        assertThat(pool.computed()).as("creation hashes once").isEqualTo(1);

        Accounts restarted = start(dir);
        assertThat(restarted.login(address("restarts1"), PASSWORD)).isPresent();
        assertThat(restarted.login(address("restarts1"), PASSWORD)).isPresent();
        assertThat(pool.computed()).as("the stored verifier matched: no SHA512-CRYPT").isZero();

        assertThat(restarted.login(address("restarts1"), "the-wrong-password")).isEmpty();
        assertThat(restarted.login(address("restarts1"), PASSWORD + "x")).isEmpty();
        assertThat(pool.computed()).as("each wrong password gets the full check").isEqualTo(2);
        assertThat(restarted.login(address("restarts1"), PASSWORD)).isPresent();
        assertThat(pool.computed()).as("a failure leaves the verifier alone").isEqualTo(2);
    }

    @Test
    void aChangedStoredHashInvalidatesTheVerifier() throws Exception {
        Accounts accounts = start(dir);
        accounts.login(address("rehashed1"), PASSWORD).orElseThrow();
        store.close();
        store = null;
        // What re-importing an account from a reference relay does: another hash, here of another password.
        setStoredHash(address("rehashed1"), new PasswordHasher().hash("a-new-password"));

        accounts = start(dir);
        assertThat(accounts.login(address("rehashed1"), PASSWORD)).as("the old password is gone").isEmpty();
        assertThat(pool.computed()).isEqualTo(1);
        assertThat(accounts.login(address("rehashed1"), "a-new-password")).isPresent();
        assertThat(pool.computed()).isEqualTo(2);
        assertThat(accounts.login(address("rehashed1"), "a-new-password")).isPresent();
        assertThat(pool.computed()).as("the new hash's verifier is stored").isEqualTo(2);

        store.close();
        store = null;
        // The same password under a new salt: the verifier names the old hash, so one full check.
        setStoredHash(address("rehashed1"), new PasswordHasher().hash("a-new-password"));
        accounts = start(dir);
        assertThat(accounts.login(address("rehashed1"), "a-new-password")).isPresent();
        assertThat(pool.computed()).isEqualTo(1);
    }

    @Test
    void theKeyFileIsPrivateAndANewKeyMeansOneFullCheck() throws Exception {
        Accounts accounts = start(dir);
        accounts.login(address("keyfile01"), PASSWORD).orElseThrow();
        Path key = dir.resolve(LoginVerifiers.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key, StandardCharsets.US_ASCII).strip()).hasSize(44);

        Files.delete(key);
        accounts = start(dir);
        assertThat(Files.exists(key)).isTrue();
        assertThat(accounts.login(address("keyfile01"), PASSWORD)).isPresent();
        assertThat(pool.computed()).as("the old key's verifier is not this key's").isEqualTo(1);
        assertThat(accounts.login(address("keyfile01"), PASSWORD)).isPresent();
        assertThat(pool.computed()).isEqualTo(1);

        Files.writeString(key, "not a key\n", StandardCharsets.US_ASCII);
        accounts = start(dir);
        assertThat(accounts.login(address("keyfile01"), PASSWORD)).as("a damaged key is replaced").isPresent();
        assertThat(pool.computed()).isEqualTo(1);
        assertThat(Files.readString(key, StandardCharsets.US_ASCII).strip()).hasSize(44);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    @Test
    void twoNodesWithTheirOwnKeysOnOneDatabaseDoNotOverwriteEachOther() throws Exception {
        Path otherNode = Files.createDirectory(dir.resolve("other-node"));
        Accounts one = start(dir);
        Accounts two = accountsOn(otherNode);
        one.login(address("twonodes1"), PASSWORD).orElseThrow();
        assertThat(two.login(address("twonodes1"), PASSWORD)).isPresent();
        assertThat(pool.computed()).as("creation on one, first check on two").isEqualTo(2);

        for (int i = 0; i < 3; i++) {
            assertThat(one.login(address("twonodes1"), PASSWORD)).isPresent();
            assertThat(two.login(address("twonodes1"), PASSWORD)).isPresent();
        }
        assertThat(pool.computed()).isEqualTo(2);
        assertThat(two.login(address("twonodes1"), "the-wrong-password")).isEmpty();
        assertThat(pool.computed()).isEqualTo(3);
    }

    private void setStoredHash(String address, String hash) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chatmail.sqlite"));
             PreparedStatement s = c.prepareStatement("UPDATE accounts SET password_hash = ? WHERE address = ?")) {
            s.setString(1, hash);
            s.setString(2, address);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }
}
