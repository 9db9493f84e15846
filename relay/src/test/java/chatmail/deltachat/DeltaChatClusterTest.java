package chatmail.deltachat;

import chatmail.config.StorageSettings;
import chatmail.testing.TestPostgres;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCALE-2 with the real Delta Chat core: two nodes on 127.0.0.2 and 127.0.0.3 share one
 * PostgreSQL database; alice's profile uses node 1, bob's node 2. Secure-Join and a conversation
 * need every message to reach the other node's IDLE connection.
 */
@Tag("deltachat")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeltaChatClusterTest {
    @TempDir
    static java.nio.file.Path dir;

    private DeltaChatCore core;
    private AcceptanceRelay node1;
    private AcceptanceRelay node2;

    @BeforeAll
    void start() throws IOException {
        StorageSettings database = TestPostgres.get().newDatabase();
        core = DeltaChatCore.start(dir.resolve("client"), DcTimeouts.defaults());
        node1 = AcceptanceRelay.start(dir.resolve("node1"), b -> {
            b.listenAddresses = List.of("127.0.0.2");
            b.storage = database;
        });
        node2 = AcceptanceRelay.start(dir.resolve("node2"), b -> {
            b.listenAddresses = List.of("127.0.0.3");
            b.storage = database;
        });
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {core, node1, node2}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            }
        }
    }

    @Test
    void profilesOnDifferentNodesSecureJoinAndConverse() {
        DeltaChatProfile alice = DeltaChatProfile.create(core, "alice");
        alice.configure(node1.sslLogin(node1.newCredentials()));
        DeltaChatProfile bob = DeltaChatProfile.create(core, "bob");
        bob.configure(node2.sslLogin(node2.newCredentials()));

        SecureJoin.Contact contact = SecureJoin.setupContact(alice, bob);

        DeltaChatMessagingTest.assertVerifiedEncrypted(alice, contact.inviterChat(), contact.inviterSeesJoiner(), bob,
                contact.joinerSeesInviter());
        DeltaChatMessagingTest.assertVerifiedEncrypted(bob, contact.joinerChat(), contact.joinerSeesInviter(), alice,
                contact.inviterSeesJoiner());
        Latencies latencies = Conversation.run(alice, bob, contact, "cluster");
        System.out.println("[deltachat] " + latencies.summary("two nodes on PostgreSQL"));
    }
}
