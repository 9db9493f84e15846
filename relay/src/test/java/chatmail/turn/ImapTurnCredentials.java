package chatmail.turn;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.imap.ImapTestClient;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TURN credentials as the Delta Chat core gets them: IMAP GETMETADATA of
 * {@code /shared/vendor/deltachat/turn} on the relay, {@code host:port:<expiry>:<password>}.
 */
record ImapTurnCredentials(String host, int port, String username, String password) {
    static final String PASSWORD = "turn-calls-password";
    private static final Pattern ENTRY = Pattern.compile(
            "\\* METADATA \"\" \\(/shared/vendor/deltachat/turn \"([^:\"]+):(\\d+):(\\d+):([^\"]+)\"\\)");

    /** Logs in as {@code account} (created at first login) and reads the entry. */
    static ImapTurnCredentials fetch(TestRelay relay, String account) throws IOException {
        try (ImapTestClient imap = ImapTestClient.imaps(relay).login(account, PASSWORD)) {
            List<String> lines = imap.command("m", "GETMETADATA \"\" /shared/vendor/deltachat/turn");
            assertThat(lines).hasSize(2);
            assertThat(lines.getLast()).isEqualTo("m OK Getmetadata completed.");
            Matcher m = ENTRY.matcher(lines.getFirst());
            assertThat(m.matches()).as("a TURN entry: %s", lines.getFirst()).isTrue();
            return new ImapTurnCredentials(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4));
        }
    }
}
