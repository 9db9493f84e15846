package chatmail.push;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Account;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push queue on the relay's real database file, beside the mail store. */
class SqlitePushQueueStoreTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private SqliteMailStore mail;
    private SqlitePushQueueStore queue;
    private Account account;

    @BeforeEach
    void open() {
        mail = SqliteMailStore.open(dir, clock);
        queue = SqlitePushQueueStore.on(mail);
        account = mail.createAccountIfAbsent("bob123456@chatmail.localhost", "{SHA512-CRYPT}x", LocalDate.of(2025, 11, 26));
    }

    @AfterEach
    void close() {
        queue.close();
        mail.close();
    }

    @Test
    void mailForATokenWithAPendingNotificationJoinsIt() {
        Instant now = clock.instant();
        queue.add(account.id(), List.of("tok1", "tok2"), now);
        queue.add(account.id(), List.of("tok1"), now);
        queue.add(account.id(), List.of("tok1"), now);

        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.due(now, 10)).extracting(PushJob::token).containsExactly("tok1", "tok2");
    }

    @Test
    void aTryThatStartedBeforeNewMailDoesNotFinishTheJob() {
        Instant now = clock.instant();
        queue.add(account.id(), List.of("tok1"), now);
        PushJob sent = queue.due(now, 10).getFirst();

        queue.add(account.id(), List.of("tok1"), now.plusSeconds(1));
        queue.finish(sent);
        queue.retryAt(sent, 1, now, now.plusSeconds(8));

        List<PushJob> due = queue.due(now.plusSeconds(1), 10);
        assertThat(due).hasSize(1);
        assertThat(due.getFirst().attempts()).isZero();
        assertThat(due.getFirst().generation()).isGreaterThan(sent.generation());

        queue.finish(due.getFirst());
        assertThat(queue.size()).isZero();
    }

    @Test
    void newMailRestartsTheScheduleOfAFailingNotification() {
        Instant now = clock.instant();
        queue.add(account.id(), List.of("tok1"), now);
        PushJob sent = queue.due(now, 10).getFirst();
        queue.retryAt(sent, 3, now, now.plusSeconds(584));
        assertThat(queue.due(now.plusSeconds(100), 10)).isEmpty();
        assertThat(queue.nextDueAfter(now.plusSeconds(100))).contains(now.plusSeconds(584));

        queue.add(account.id(), List.of("tok1"), now.plusSeconds(100));

        PushJob renewed = queue.due(now.plusSeconds(100), 10).getFirst();
        assertThat(renewed.attempts()).isZero();
        assertThat(renewed.firstAttemptAt()).isEmpty();
    }

    @Test
    void goneTokenIsRemovedWhateverItsGeneration() {
        Instant now = clock.instant();
        queue.add(account.id(), List.of("tok1"), now);
        PushJob sent = queue.due(now, 10).getFirst();
        queue.add(account.id(), List.of("tok1"), now);

        queue.remove(sent);

        assertThat(queue.size()).isZero();
    }

    @Test
    void deletingTheAccountDropsItsNotifications() {
        queue.add(account.id(), List.of("tok1"), clock.instant());

        mail.deleteAccount(account.id());

        assertThat(queue.size()).isZero();
    }

    @Test
    void theQueueIsKeptInTheDatabaseFile() {
        Instant now = clock.instant();
        queue.add(account.id(), List.of("tok1"), now);
        queue.close();
        mail.close();

        mail = SqliteMailStore.open(dir, clock);
        queue = SqlitePushQueueStore.on(mail);

        assertThat(queue.due(now, 10)).extracting(PushJob::token, PushJob::accountId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("tok1", account.id()));
    }

    @Test
    void jobsNeverShowTheirTokenWhenPrinted() {
        queue.add(account.id(), List.of("secret-token"), clock.instant());

        assertThat(queue.due(clock.instant(), 10).getFirst().toString()).doesNotContain("secret-token");
    }
}
