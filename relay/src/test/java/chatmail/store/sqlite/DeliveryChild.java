package chatmail.store.sqlite;

import chatmail.store.Account;
import chatmail.store.DeliveryTarget;
import chatmail.store.Mailbox;
import chatmail.store.NewMessage;
import chatmail.store.StoredMessage;
import chatmail.spool.BodySpool;
import chatmail.spool.SpoolWriter;
import chatmail.spool.SpooledBody;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Runs in a separate JVM for the durability tests.
 * <ul>
 *   <li>{@code ack <dataDir> <count>}: delivers messages one after another and prints
 *       {@code ACK <seed> <uid>} after each deliver returned, then waits to be killed.</li>
 *   <li>{@code marked <dataDir> <markerDir>}: delivers one small and one large (spooled) message, opening
 *       {@code marker-before} and {@code marker-after} in markerDir around the large one, so a
 *       system call trace shows which calls belong to that delivery; prints the thread id of the
 *       store's background checkpoint thread, whose syncs may fall between the markers too;
 *       then closes and exits.</li>
 * </ul>
 */
public final class DeliveryChild {
    static final String ADDRESS = "durable@example.org";

    private DeliveryChild() {}

    /** Message sizes alternate between inline and file-backed bodies. */
    static int sizeFor(long seed) {
        return seed % 2 == 0 ? 1_000 + (int) seed : BodyFiles.INLINE_LIMIT + 1_000 + (int) seed;
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "US-ASCII");
        Path dataDir = Path.of(args[1]);
        try (SqliteMailStore store = SqliteMailStore.open(dataDir, Clock.systemUTC())) {
            Account account = store.createAccountIfAbsent(ADDRESS, "hash", LocalDate.now());
            Mailbox inbox = store.mailbox(account.id(), "INBOX").orElseThrow();
            BodySpool spool = BodySpool.open(dataDir);
            switch (args[0]) {
                case "ack" -> {
                    int count = Integer.parseInt(args[2]);
                    for (long seed = 0; seed < count; seed++) {
                        StoredMessage stored = deliver(store, spool, inbox, seed);
                        out.println("ACK " + seed + " " + stored.uid());
                    }
                    out.println("DONE");
                    new CountDownLatch(1).await();
                }
                case "marked" -> {
                    Path markers = Path.of(args[2]);
                    deliver(store, spool, inbox, 0);
                    touch(markers.resolve("marker-before"));
                    StoredMessage stored = deliver(store, spool, inbox, 1);
                    touch(markers.resolve("marker-after"));
                    out.println("ACK 1 " + stored.uid());
                    out.println("CHECKPOINT-THREAD " + nativeThreadId(WalCheckpointer.THREAD_NAME));
                }
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
    }

    /**
     * Large bodies come through the spool, as from SMTP, IMAP APPEND and /mxdeliv: the store
     * renames the spool file into place, and that is the path whose durability is proven.
     */
    private static StoredMessage deliver(SqliteMailStore store, BodySpool spool, Mailbox inbox, long seed) throws IOException {
        byte[] content = TestMessages.message(seed, sizeFor(seed));
        try (SpoolWriter writer = spool.newWriter(content.length)) {
            writer.write(content);
            try (SpooledBody body = writer.finish()) {
                return store.deliver(new NewMessage(body, java.time.Instant.now()),
                        List.of(new DeliveryTarget(inbox.id(), Set.of()))).getFirst();
            }
        }
    }

    /**
     * The Linux thread id of the JVM thread with this name, from /proc (the JVM gives a platform
     * thread's name, cut to 15 bytes, to the kernel).
     */
    private static long nativeThreadId(String name) throws IOException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
                    return Long.parseLong(task.getFileName().toString());
                }
            }
        }
        throw new IllegalStateException("no thread named " + name);
    }

    private static void touch(Path marker) throws IOException {
        FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
    }
}
