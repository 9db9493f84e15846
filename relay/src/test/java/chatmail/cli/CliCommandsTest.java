package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.DeliveryTarget;
import chatmail.store.NewMessage;
import chatmail.store.sqlite.SqliteMailStore;
import chatmail.testing.TestRelay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands run in process, as the launcher would run them, with their output captured. */
class CliCommandsTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int chatmail(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path ini(String... lines) throws Exception {
        return Files.writeString(dir.resolve("chatmail.ini"), "[params]\n" + String.join("\n", lines) + "\n");
    }

    @Test
    void expireDryRunPrintsTheReportAndDeletesNothing() throws Exception {
        Path data = dir.resolve("data");
        Path ini = ini("mail_domain = chatmail.localhost", "data_dir = " + data);
        Clock clock = Clock.systemUTC();
        try (SqliteMailStore store = SqliteMailStore.open(data, clock)) {
            var account = store.createAccountIfAbsent("abcdefghi@chatmail.localhost", "{SHA512-CRYPT}x",
                    LocalDate.now(clock).minusDays(100));
            long inbox = store.mailbox(account.id(), "INBOX").orElseThrow().id();
            store.deliver(new NewMessage(message(), clock.instant().minus(Duration.ofDays(25))),
                    List.of(new DeliveryTarget(inbox, Set.of())));
        }

        assertThat(chatmail("expire", "--dry-run", "--config", ini.toString())).isZero();
        assertThat(out.toString()).isEqualTo("would delete 1 messages older than the retention, 0 large seen messages, "
                + message().length + " bytes in all, 1 inactive accounts and 0 expired device tokens" + System.lineSeparator());
        try (SqliteMailStore store = SqliteMailStore.open(data, clock)) {
            assertThat(store.accountCount()).isEqualTo(1);
            assertThat(store.messagesReceivedBefore(clock.instant(), null, 100)).hasSize(1);
        }

        out.getBuffer().setLength(0);
        assertThat(chatmail("expire", "-c", ini.toString())).isZero();
        assertThat(out.toString()).startsWith("deleted 1 messages older than the retention")
                .contains(", 1 inactive accounts and 0 expired device tokens");
        try (SqliteMailStore store = SqliteMailStore.open(data, clock)) {
            assertThat(store.accountCount()).isZero();
            assertThat(store.messagesReceivedBefore(clock.instant().plus(Duration.ofDays(1)), null, 100)).isEmpty();
        }
    }

    @Test
    void expireRefusesBesideARunningRelayAndRemovesNoBodyFile() throws Exception {
        Path data = dir.resolve("data");
        Path ini = ini("mail_domain = chatmail.localhost", "data_dir = " + data);
        try (TestRelay relay = TestRelay.start(data)) {
            // What a body the relay has written but whose row it has not committed yet looks like
            // to another process: a file no row refers to.
            Path beingDelivered = Files.createDirectories(data.resolve("blobs/00")).resolve("being-delivered");
            Files.write(beingDelivered, message());
            for (List<String> args : List.of(List.of("expire", "--dry-run", "-c", ini.toString()),
                    List.of("expire", "-c", ini.toString()))) {
                err.getBuffer().setLength(0);
                assertThat(chatmail(args.toArray(String[]::new))).as(String.join(" ", args)).isEqualTo(1);
                assertThat(err.toString()).isEqualTo("chatmail expire: " + data + " is in use by a running relay (process "
                        + ProcessHandle.current().pid() + "); stop it first (only one relay, import, restore or expire"
                        + " may use a data_dir at a time)" + System.lineSeparator());
            }
            assertThat(out.toString()).isEmpty();
            assertThat(beingDelivered).exists();
        }
    }

    private static byte[] message() {
        return "Subject: old\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void runWithABadValueExits2NamingTheKeyAndStartsNothing() throws Exception {
        Path data = dir.resolve("data");
        Path ini = ini("mail_domain = chatmail.localhost", "data_dir = " + data, "max_user_send_per_minute = lots");

        assertThat(chatmail("run", "--config", ini.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("max_user_send_per_minute", "lots");
        assertThat(data).as("nothing started, nothing written").doesNotExist();
    }

    @Test
    void runWithATurnServerButNoSecretExits2NamingTheKey() throws Exception {
        Path data = dir.resolve("data");
        Path ini = ini("mail_domain = chatmail.localhost", "data_dir = " + data, "turn_server = turn.example.org:3478");

        assertThat(chatmail("run", "--config", ini.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("turn_secret");
        assertThat(data).as("nothing started, nothing written").doesNotExist();
    }

    @Test
    void runWithAPublicDomainAndNoPortForTheAcmeChallengesExits2NamingBothKeys() throws Exception {
        Path data = dir.resolve("data");
        Path ini = ini("mail_domain = chat.example.org", "data_dir = " + data, "http_port = 0", "https_port = 0");

        assertThat(chatmail("run", "--config", ini.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("chat.example.org", "ACME", "http_port", "https_port",
                "tls_external_cert_and_key");
        assertThat(data).doesNotExist();
    }

    @Test
    void runWithAnAcmeDirectoryThatIsNotHttpsExits2() throws Exception {
        Path data = dir.resolve("data");
        Path ini = ini("mail_domain = chat.example.org", "data_dir = " + data,
                "acme_directory = http://acme.example/directory");

        assertThat(chatmail("run", "--config", ini.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("acme_directory", "http://acme.example/directory", "https URL");
        assertThat(data).doesNotExist();
    }

    @Test
    void aMissingConfigFileExits2ForEveryCommandThatReadsOne() {
        Path missing = dir.resolve("nowhere.ini");

        assertThat(chatmail("run", "--config", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(missing.toString(), "does not exist");
        err.getBuffer().setLength(0);
        assertThat(chatmail("expire", "--dry-run", "--config", missing.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(missing.toString(), "does not exist");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void unknownKeysAreWarnedAboutOnStderr() throws Exception {
        Path data = dir.resolve("data");
        Path ini = ini("mail_domain = chatmail.localhost", "data_dir = " + data, "mial_domain = typo");

        assertThat(chatmail("expire", "--dry-run", "-c", ini.toString())).isZero();
        assertThat(err.toString()).contains("warning", "mial_domain");
        assertThat(out.toString()).startsWith("would delete 0 messages");
    }

    @Test
    void versionPrintsTheVersionAndJava() {
        assertThat(chatmail("version")).isZero();
        assertThat(out.toString()).startsWith("chatmail ").contains("(Java " + Runtime.version().feature());

        out.getBuffer().setLength(0);
        assertThat(chatmail("--version")).isZero();
        assertThat(out.toString()).startsWith("chatmail ");
    }

    @Test
    void anUnknownCommandOrOptionIsAUsageError() {
        assertThat(chatmail("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("frobnicate");
        assertThat(chatmail("expire", "--dry-rn")).isEqualTo(2);
    }

    /** The training's own command line, read without picocli, fails as picocli's would. */
    @Test
    void aTrainingOptionItDoesNotKnowIsAUsageError() {
        assertThat(chatmail("aot-training", "--first-start-onyl", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option --first-start-onyl");
        assertThat(chatmail("aot-training", "--port", "443")).isEqualTo(2);
        assertThat(chatmail("aot-training", "--clients-for")).isEqualTo(2);
        assertThat(dir.toFile().list()).as("nothing started").isEmpty();
    }

    @Test
    void noCommandPrintsUsage() {
        assertThat(chatmail()).isZero();
        assertThat(out.toString()).contains("Usage: chatmail", "run", "expire", "init", "version");
    }
}
