package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.Account;
import chatmail.store.Mailbox;
import chatmail.store.MessageInfo;
import chatmail.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SMTP-13: what deliver acknowledged survives a kill -9 of the process right after. */
class KillDurabilityTest {
    private static final int ACKS_BEFORE_KILL = 40;
    private static final Duration CHILD_DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedDeliveryIsThereAfterSigkill() throws Exception {
        Path dataDir = dir.resolve("data");
        Process child = new ProcessBuilder(ChildJvm.command(DeliveryChild.class, "ack", dataDir.toString(), "100000"))
                .redirectError(dir.resolve("child-stderr.txt").toFile())
                .start();
        Map<Long, Long> acknowledged = new LinkedHashMap<>();
        try {
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> readAcks(child, acknowledged));
            reading.get(CHILD_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            // SIGKILL while the child keeps delivering: no shutdown hook, no close, no flush.
            child.destroyForcibly();
            assertThat(child.waitFor(CHILD_DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).as("acks read before the kill; child stderr: %s",
                        Files.readString(dir.resolve("child-stderr.txt")))
                .hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        try (SqliteMailStore store = SqliteMailStore.open(dataDir, Clock.systemUTC())) {
            Account account = store.findAccount(DeliveryChild.ADDRESS).orElseThrow();
            Mailbox inbox = store.mailbox(account.id(), "INBOX").orElseThrow();
            Map<Long, MessageInfo> stored = new LinkedHashMap<>();
            store.snapshot(inbox.id()).messages().forEach(m -> stored.put(m.uid(), m));
            for (Map.Entry<Long, Long> ack : acknowledged.entrySet()) {
                long seed = ack.getKey();
                long uid = ack.getValue();
                assertThat(stored).as("acknowledged message %d (uid %d)", seed, uid).containsKey(uid);
                assertThat(store.content(inbox.id(), uid)).as("content of uid %d", uid)
                        .isEqualTo(TestMessages.message(seed, DeliveryChild.sizeFor(seed)));
            }
        }
    }

    private static void readAcks(Process child, Map<Long, Long> acknowledged) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while (acknowledged.size() < ACKS_BEFORE_KILL && (line = lines.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    String[] parts = line.split(" ");
                    acknowledged.put(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
