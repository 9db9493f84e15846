package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Large trees show progress: a line per interval with accounts, messages and damaged items. */
class ImportProgressTest {

    @Test
    @SuppressWarnings("try") // the printer runs for the block
    void aLineEveryIntervalUntilClosed() throws Exception {
        CountDownLatch twoLines = new CountDownLatch(2);
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text) {
            @Override
            public void flush() {
                super.flush();
                twoLines.countDown();
            }
        };
        ImportReport report = new ImportReport();
        report.accountsSeen.set(1234);
        report.messagesImported.set(20_000);
        report.messagesPresent.set(5);
        report.damaged("/x", "why");
        try (ImportProgress progress = new ImportProgress(out, report, 10_000, Duration.ofMillis(20))) {
            assertThat(twoLines.await(60, TimeUnit.SECONDS)).isTrue();
        }
        String first = text.toString().lines().findFirst().orElseThrow();
        assertThat(first).matches("import-reference: 1234 of 10000 accounts, 20005 messages \\(\\d+ messages/s\\), 1 damaged");
    }
}
