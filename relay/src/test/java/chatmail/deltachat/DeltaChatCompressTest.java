package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 11: scenario 4 once more with {@code imap_compress = true}. A client drops a server
 * whose COMPRESS=DEFLATE fails, so the whole conversation runs over compressed IMAP.
 */
@Tag("deltachat")
class DeltaChatCompressTest {

    @TempDir
    Path dir;

    @Test
    void secureJoinAndConversationOverCompressedImap() throws Exception {
        try (AcceptanceRelay relay = AcceptanceRelay.start(dir.resolve("relay"), b -> b.imapCompress = true);
                DeltaChatCore core = DeltaChatCore.start(dir.resolve("client"), DcTimeouts.defaults())) {
            AcceptanceRelay.Credentials probe = relay.newCredentials();
            List<String> caps = RawMailClient.imapCapabilitiesAfterLogin("127.0.0.1", relay.port("imaps"),
                    probe.addr(), probe.password(), DcTimeouts.defaults().call());
            assertThat(caps).contains("COMPRESS=DEFLATE");

            DeltaChatProfile alice = DeltaChatProfile.create(core, "alice");
            alice.configure(relay.sslLogin(relay.newCredentials()));
            DeltaChatProfile bob = DeltaChatProfile.create(core, "bob");
            bob.configure(relay.starttlsLogin(relay.newCredentials()));

            SecureJoin.Contact contact = SecureJoin.setupContact(alice, bob);
            DeltaChatMessagingTest.assertVerifiedEncrypted(alice, contact.inviterChat(), contact.inviterSeesJoiner(),
                    bob, contact.joinerSeesInviter());
            Latencies latencies = Conversation.run(alice, bob, contact, "compressed");
            for (DeltaChatProfile p : List.of(alice, bob)) {
                assertThat(p.events().since(0)).as("%s's core turned COMPRESS on", p.name())
                        .anyMatch(e -> e.is("Info") && e.text().contains("Enabling IMAP compression"));
            }
            System.out.println("[deltachat] " + latencies.summary("scenario 11 (IMAP with COMPRESS=DEFLATE)"));
        }
    }
}
