package chatmail.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** OPS-5: under systemd each log event is one line with its syslog priority, and no stack trace or address. */
class JournalLayoutTest {

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("chatmail.delivery.outbound.OutboundDelivery");
    private final JournalLayout layout = new JournalLayout();

    private String line(Level level, String message, Throwable t, Object... args) {
        return layout.doLayout(new LoggingEvent(Logger.FQCN, logger, level, message, t, args));
    }

    @Test
    void eachLevelGetsItsSyslogPriority() {
        assertThat(line(Level.ERROR, "e", null)).isEqualTo("<3>OutboundDelivery: e\n");
        assertThat(line(Level.WARN, "w", null)).isEqualTo("<4>OutboundDelivery: w\n");
        assertThat(line(Level.INFO, "queued {} for {}", null, 3, "later")).isEqualTo("<6>OutboundDelivery: queued 3 for later\n");
        assertThat(line(Level.DEBUG, "d", null)).isEqualTo("<7>OutboundDelivery: d\n");
        assertThat(line(Level.TRACE, "t", null)).isEqualTo("<7>OutboundDelivery: t\n");
    }

    @Test
    void anExceptionAndItsCausesAreFoldedIntoTheLineWithoutStackOrAddresses() {
        Throwable failure = new UncheckedIOException("delivery to bob@example.org failed",
                new IOException("second\nline", new ConnectException("Connection refused: /203.0.113.9:25 and [2001:db8::1]:25")));
        String text = line(Level.ERROR, "attempt {} failed", failure, 2);
        assertThat(text).isEqualTo("<3>OutboundDelivery: attempt 2 failed: UncheckedIOException: delivery to <address> failed"
                + "; caused by IOException: second\\nline; caused by ConnectException: Connection refused: /<ip>:25 and <ip>:25\n");
        assertThat(text.lines()).hasSize(1);
    }

    @Test
    void aLineBreakInAMessageStaysInTheLine() {
        assertThat(line(Level.INFO, "a\nb\r\nc", null)).isEqualTo("<6>OutboundDelivery: a\\nb\\nc\n");
    }

    @Test
    void theJournalIsChosenOnlyWhenStderrIsTheStreamSystemdNames() {
        assertThat(RelayLogEncoder.toJournal(Map.of("JOURNAL_STREAM", "8:12345"), Optional.of("8:12345"))).isTrue();
        assertThat(RelayLogEncoder.toJournal(Map.of("JOURNAL_STREAM", "8:12345"), Optional.of("8:999")))
                .as("inherited by a process whose stderr went elsewhere").isFalse();
        assertThat(RelayLogEncoder.toJournal(Map.of("JOURNAL_STREAM", ""), Optional.of("8:12345"))).isFalse();
        assertThat(RelayLogEncoder.toJournal(Map.of(), Optional.of("8:12345"))).isFalse();
        assertThat(RelayLogEncoder.toJournal(Map.of("JOURNAL_STREAM", "8:12345"), Optional.empty())).isFalse();
    }

    @Test
    void stderrIsIdentifiedAsDeviceAndInode() {
        assertThat(RelayLogEncoder.stderrIdentity()).hasValueSatisfying(id -> assertThat(id).matches("\\d+:\\d+"));
    }
}
