package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 4's conversation between two verified contacts: 20 messages each way, taking turns,
 * each one awaited as IncomingMsg on the other side and checked decrypted; then a burst of 20
 * from one side. Both chats must list everything in sending order.
 */
final class Conversation {

    private Conversation() {
    }

    static Latencies run(DeltaChatProfile a, DeltaChatProfile b, SecureJoin.Contact contact, String tag) {
        Latencies latencies = new Latencies();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add(deliver(a, contact.inviterChat(), b, tag + " a->b " + i, latencies));
            expected.add(deliver(b, contact.joinerChat(), a, tag + " b->a " + i, latencies));
        }
        // Back to back, as fast as the client sends: arrival order is the relay's (UIDs) to keep.
        int bm = b.mark();
        List<String> burst = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            String text = tag + " burst " + i;
            a.sendText(contact.inviterChat(), text);
            burst.add(text);
        }
        for (String text : burst) {
            b.awaitIncomingText(bm, text);
        }
        expected.addAll(burst);

        assertThat(texts(a, contact.inviterChat(), tag)).as("%s's chat, in order", a.name()).isEqualTo(expected);
        assertThat(texts(b, contact.joinerChat(), tag)).as("%s's chat, in order", b.name()).isEqualTo(expected);
        return latencies;
    }

    private static String deliver(DeltaChatProfile from, int chat, DeltaChatProfile to, String text, Latencies latencies) {
        int mark = to.mark();
        long sent = System.nanoTime();
        from.sendText(chat, text);
        DeltaChatProfile.Incoming in = to.awaitIncomingText(mark, text);
        latencies.add(sent, in.event().receivedNanos());
        assertThat(in.message().path("showPadlock").asBoolean()).as("'%s' arrived encrypted and signed", text).isTrue();
        assertThat(in.message().path("downloadState").asText()).isEqualTo("Done");
        return text;
    }

    private static List<String> texts(DeltaChatProfile p, int chat, String tag) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : p.chatMessages(chat)) {
            String text = m.path("text").asText();
            if (text.startsWith(tag + " ")) {
                out.add(text);
            }
        }
        return out;
    }
}
