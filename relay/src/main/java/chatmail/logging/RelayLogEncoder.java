package chatmail.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import java.util.Map;

/**
 * The relay's log encoder: the configured pattern on a terminal, {@link JournalLayout} when
 * stderr goes to systemd's journal, which says so in {@code $JOURNAL_STREAM} (OPS-5).
 */
public final class RelayLogEncoder extends PatternLayoutEncoder {

    /** True when systemd connected stderr to the journal. */
    static boolean toJournal(Map<String, String> env) {
        String stream = env.get("JOURNAL_STREAM");
        return stream != null && !stream.isBlank();
    }

    @Override
    public void start() {
        if (!toJournal(System.getenv())) {
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
