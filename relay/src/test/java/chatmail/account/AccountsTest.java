package chatmail.account;

import static chatmail.account.AccountsFixture.address;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.store.Account;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC ACC-2, ACC-3, ACC-5, ACC-6: logins of existing accounts, races, creation switches, last login. */
class AccountsTest {

    @TempDir
    Path dir;

    private AccountsFixture f;

    @BeforeEach
    void open() {
        f = new AccountsFixture(dir);
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void wrongPasswordFailsAndLeavesTheStoredHashAlone() {
        Account created = f.accounts.login(address("wrongpass"), "the-right-one").orElseThrow();

        assertThat(f.accounts.login(address("wrongpass"), "the-wrong-one")).isEmpty();
        assertThat(f.accounts.login(address("wrongpass"), "the-right-on")).isEmpty();
        assertThat(f.accounts.login(address("wrongpass"), "")).isEmpty();

        assertThat(f.store.findAccount(address("wrongpass")).orElseThrow().passwordHash())
                .isEqualTo(created.passwordHash());
        assertThat(f.accounts.login(address("wrongpass"), "the-right-one")).isPresent();
        assertThat(f.store.accountCount()).isEqualTo(1);
    }

    @Test
    void passwordsAreStoredOnlyAsSaltedSha512CryptHashes() {
        Account a = f.accounts.login(address("hashedone"), "shared-secret").orElseThrow();
        assertThat(a.passwordHash()).startsWith("{SHA512-CRYPT}$6$").doesNotContain("shared-secret");
        assertThat(new PasswordHasher().verify("shared-secret", a.passwordHash())).isTrue();
    }

    @Test
    void twoAccountsMayShareAPassword() {
        Account a = f.accounts.login(address("firstuser"), "shared-secret").orElseThrow();
        Account b = f.accounts.login(address("seconduse"), "shared-secret").orElseThrow();

        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(a.passwordHash()).as("salted: the same password hashes differently").isNotEqualTo(b.passwordHash());
        assertThat(f.accounts.login(address("firstuser"), "shared-secret")).isPresent();
        assertThat(f.accounts.login(address("seconduse"), "shared-secret")).isPresent();
        assertThat(f.store.accountCount()).isEqualTo(2);
    }

    @Test
    void tenConcurrentFirstLoginsAllSucceedAndLeaveOneAccount() throws Exception {
        List<Optional<Account>> results = concurrently(10, i -> f.accounts.login(address("racingone"), "same-password"));

        assertThat(results).allSatisfy(r -> assertThat(r).isPresent());
        assertThat(results.stream().map(r -> r.orElseThrow().id()).distinct()).hasSize(1);
        assertThat(f.store.accountCount()).isEqualTo(1);
    }

    @Test
    void aConcurrentFirstLoginWithAnotherPasswordFails() throws Exception {
        // Which password wins the race is up to the scheduler; whichever does, exactly the logins
        // with that password succeed, and the stored hash is that password's.
        for (int round = 0; round < 5; round++) {
            String addr = address("racing" + round + "pw");
            List<String> passwords = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                passwords.add(i == round * 2 ? "other-password" : "same-password");
            }
            List<Optional<Account>> results = concurrently(10, i -> f.accounts.login(addr, passwords.get(i)));

            Account stored = f.store.findAccount(addr).orElseThrow();
            String winner = new PasswordHasher().verify("same-password", stored.passwordHash())
                    ? "same-password" : "other-password";
            for (int i = 0; i < 10; i++) {
                assertThat(results.get(i).isPresent())
                        .as("round %d login %d with %s (stored: %s)", round, i, passwords.get(i), winner)
                        .isEqualTo(passwords.get(i).equals(winner));
            }
            String loser = winner.equals("same-password") ? "other-password" : "same-password";
            assertThat(f.accounts.login(addr, loser)).isEmpty();
        }
        assertThat(f.store.accountCount()).isEqualTo(5);
    }

    @Test
    void nocreateFileBlocksCreationButNotLogins() throws Exception {
        f.accounts.login(address("existing1"), "password-1").orElseThrow();
        Path nocreate = f.config.dataDir().resolve("nocreate");
        Files.createFile(nocreate);

        assertThat(f.accounts.login(address("newcomer1"), "password-2")).isEmpty();
        assertThat(f.accounts.login(address("existing1"), "password-1")).isPresent();
        assertThat(f.store.findAccount(address("newcomer1"))).isEmpty();

        // A runtime switch: removing the file allows creation again without a restart.
        Files.delete(nocreate);
        assertThat(f.accounts.login(address("newcomer1"), "password-2")).isPresent();
    }

    static Stream<Arguments> scarceResources() {
        long mib = Config.MIB;
        long ample = Long.MAX_VALUE / 2;
        return Stream.of(
                Arguments.of("load above max_load_1m", new ResourceProbe.Resources(5.01, ample, ample)),
                Arguments.of("memory below min_available_memory", new ResourceProbe.Resources(0, 200 * mib - 1, ample)),
                Arguments.of("disk below min_free_disk_space", new ResourceProbe.Resources(0, ample, Config.GIB - 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scarceResources")
    void scarceResourcesRefuseCreationButNotLogins(String name, ResourceProbe.Resources scarce) {
        f.accounts.login(address("existing1"), "password-1").orElseThrow();
        f.resources.set(scarce);

        assertThat(f.accounts.login(address("newcomer1"), "password-2")).isEmpty();
        assertThat(f.accounts.login(address("existing1"), "password-1")).isPresent();
        assertThat(f.store.accountCount()).isEqualTo(1);

        f.resources.set(ResourceProbe.ample().current());
        assertThat(f.accounts.login(address("newcomer1"), "password-2")).isPresent();
    }

    @Test
    void resourcesExactlyAtTheLimitsStillAllowCreation() {
        f.resources.set(new ResourceProbe.Resources(5.0, 200 * Config.MIB, Config.GIB));
        assertThat(f.accounts.login(address("atlimits1"), "password-1")).isPresent();
    }

    @Test
    void lastLoginIsRecordedByDayAndWrittenOncePerDay() {
        f.clock.set(java.time.Instant.parse("2025-11-26T08:00:00Z"));
        LocalDate day1 = LocalDate.of(2025, 11, 26);
        Account created = f.accounts.login(address("daylogin1"), "password-1").orElseThrow();
        assertThat(created.lastLogin()).isEqualTo(day1);

        long commits = f.store.commitCount();
        for (int hour = 0; hour < 15; hour++) {
            f.clock.advance(Duration.ofHours(1)); // up to 23:00 the same day
            assertThat(f.accounts.login(address("daylogin1"), "password-1")).isPresent();
        }
        assertThat(f.store.commitCount()).as("no write for logins on an already recorded day").isEqualTo(commits);
        assertThat(f.store.findAccount(address("daylogin1")).orElseThrow().lastLogin()).isEqualTo(day1);

        f.clock.advance(Duration.ofHours(2)); // 01:00 the next day
        assertThat(f.accounts.login(address("daylogin1"), "password-1")).isPresent();
        assertThat(f.store.commitCount()).isEqualTo(commits + 1);
        assertThat(f.store.findAccount(address("daylogin1")).orElseThrow().lastLogin()).isEqualTo(day1.plusDays(1));
        assertThat(LocalDate.ofInstant(f.clock.instant(), ZoneOffset.UTC)).isEqualTo(day1.plusDays(1));

        // A failed login is no login.
        f.clock.advance(Duration.ofDays(1));
        assertThat(f.accounts.login(address("daylogin1"), "wrong-password")).isEmpty();
        assertThat(f.store.findAccount(address("daylogin1")).orElseThrow().lastLogin()).isEqualTo(day1.plusDays(1));
    }

    interface Attempt<T> {
        T run(int index) throws Exception;
    }

    /** Runs {@code n} attempts released together on their own threads; results in index order. */
    static <T> List<T> concurrently(int n, Attempt<T> attempt) throws Exception {
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return attempt.run(index);
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        }
    }
}
