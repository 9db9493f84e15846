package chatmail.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The relay's log encoder: the configured pattern on a terminal, {@link JournalLayout} when
 * stderr goes to systemd's journal (OPS-5). systemd says so in {@code $JOURNAL_STREAM}, the
 * device and inode of the journal stream; as systemd.exec(5) advises, the variable counts only
 * when stderr is that very stream, since child processes inherit it with stderr redirected.
 */
public final class RelayLogEncoder extends PatternLayoutEncoder {

    /** True when {@code $JOURNAL_STREAM} names stderr, which {@code stderr} identifies as {@code dev:inode}. */
    static boolean toJournal(Map<String, String> env, Optional<String> stderr) {
        String stream = env.get("JOURNAL_STREAM");
        return stream != null && stderr.isPresent() && stream.strip().equals(stderr.get());
    }

    /** {@code dev:inode} of this process's stderr, as systemd writes it into {@code $JOURNAL_STREAM}. */
    static Optional<String> stderrIdentity() {
        try {
            Map<String, Object> a = Files.readAttributes(Path.of("/proc/self/fd/2"), "unix:dev,ino");
            return Optional.of(a.get("dev") + ":" + a.get("ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public void start() {
        if (!toJournal(System.getenv(), stderrIdentity())) {
            super.start();
            return;
        }
        JournalLayout journal = new JournalLayout();
        journal.setContext(getContext());
        journal.start();
        this.layout = journal;
        this.started = true;
    }
}
