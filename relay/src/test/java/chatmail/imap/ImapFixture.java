package chatmail.imap;

import chatmail.policy.fixtures.TestMessages;
import chatmail.store.Account;
import chatmail.store.StoredMessage;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import chatmail.config.Config;

/** A relay with one account and helpers to put mail into it, for the IMAP command tests. */
final class ImapFixture implements AutoCloseable {
    static final String PASSWORD = ImapLoginTest.PASSWORD;

    final TestRelay relay;
    final String user;
    final Account account;

    private ImapFixture(TestRelay relay, String user, Account account) {
        this.relay = relay;
        this.user = user;
        this.account = account;
    }

    static ImapFixture start(Path dir) throws IOException {
        return start(dir, b -> { });
    }

    static ImapFixture start(Path dir, Consumer<Config.Builder> adjust) throws IOException {
        TestRelay relay = TestRelay.start(dir, adjust);
        String user = TestRelay.address("fetchuser");
        Account account = relay.relay().accounts().login(user, PASSWORD).orElseThrow();
        return new ImapFixture(relay, user, account);
    }

    /** Delivers to the account's INBOX as local delivery does after SMTP. */
    StoredMessage deliver(byte[] message) {
        return relay.relay().localDelivery().deliver(message, List.of(account)).getFirst();
    }

    /** An encrypted-shaped message as Delta Chat sends it, with a distinct Message-ID. */
    static byte[] message(int n) {
        String m = new String(TestMessages.encrypted("sender@example.org", TestRelay.address("fetchuser")),
                StandardCharsets.UTF_8);
        return m.replaceFirst("Message-ID: <[^>]*>", "Message-ID: <msg" + n + "@example.org>")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A small message with a known text, for byte-exact checks. */
    static byte[] small(int n) {
        return ("From: <sender@example.org>\r\nTo: <fetchuser@chatmail.localhost>\r\nSubject: [...]\r\n"
                + "Message-ID: <small" + n + "@example.org>\r\nChat-Version: 1.0\r\n\r\nbody " + n + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    ImapTestClient client() throws IOException {
        return ImapTestClient.imaps(relay).login(user, PASSWORD);
    }

    @Override
    public void close() {
        relay.close();
    }
}
