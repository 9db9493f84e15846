package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 8: the relay restarts in the middle of a conversation. The clients notice, reconnect
 * by themselves (nobody calls maybe_network) and no message is lost: neither one the relay had
 * stored before it stopped, nor one sent while it was down.
 */
@Tag("deltachat")
class DeltaChatRestartTest {

    @TempDir
    Path dir;

    @Test
    void clientsReconnectByThemselvesAndNoMessageIsLost() throws Exception {
        try (AcceptanceRelay relay = AcceptanceRelay.start(dir.resolve("relay"));
                DeltaChatCore core = DeltaChatCore.start(dir.resolve("client"), DcTimeouts.defaults())) {
            DeltaChatProfile alice = DeltaChatProfile.create(core, "alice");
            alice.configure(relay.sslLogin(relay.newCredentials()));
            DeltaChatProfile bob = DeltaChatProfile.create(core, "bob");
            bob.configure(relay.sslLogin(relay.newCredentials()));
            SecureJoin.Contact contact = SecureJoin.setupContact(alice, bob);
            List<String> sent = new ArrayList<>();
            int bm = bob.mark();
            for (int i = 1; i <= 3; i++) {
                alice.sendText(contact.inviterChat(), "before " + i);
                sent.add("before " + i);
            }
            // Accepted by the relay (250), whether or not bob has fetched it yet.
            int am = alice.mark();
            int lastBefore = alice.sendText(contact.inviterChat(), "just before the stop");
            sent.add("just before the stop");
            alice.await(am, e -> e.is("MsgDelivered") && e.msgId() == lastBefore, alice.timeouts().delivery(),
                    "the relay's 250 for the last message before the stop");

            relay.stop();
            for (int i = 1; i <= 3; i++) {
                alice.sendText(contact.inviterChat(), "while down " + i);
                sent.add("while down " + i);
            }
            long down = System.nanoTime();
            relay.restart();

            for (String text : sent) {
                bob.awaitIncomingText(bm, text, bob.timeouts().reconnect());
            }
            System.out.printf("[deltachat] scenario 8: all messages at bob %.1f s after the restart began%n",
                    (System.nanoTime() - down) / 1e9);
            int am2 = alice.mark();
            bob.sendText(contact.joinerChat(), "bob after the restart");
            alice.awaitIncomingText(am2, "bob after the restart", alice.timeouts().reconnect());

            assertThat(texts(bob, contact.joinerChat())).containsSubsequence(sent);
            assertThat(texts(bob, contact.joinerChat())).doesNotHaveDuplicates();
        }
    }

    private static List<String> texts(DeltaChatProfile p, int chat) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : p.chatMessages(chat)) {
            out.add(m.path("text").asText());
        }
        return out;
    }
}
