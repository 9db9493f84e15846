package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scenarios 1 and 2 of the acceptance issue: the real Delta Chat core logs in to fresh
 * addresses with explicit server settings, which creates the accounts, and recognises the relay
 * as chatmail (XCHATMAIL). One relay and one core serve the whole class.
 */
@Tag("deltachat")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeltaChatLoginTest extends WithRelayAndCore {

    /**
     * The core goes on to IDLE in INBOX, and the relay tells logged-in sessions it is a chatmail
     * relay. Core 2.62 no longer exposes is_chatmail (get_config answers "unknown key"), so the
     * XCHATMAIL capability it reads is checked on the wire with the profile's credentials.
     */
    private void assertSeenAsChatmail(DeltaChatProfile p, AcceptanceRelay.Credentials c) throws IOException {
        p.await(0, e -> e.is("ImapInboxIdle"), p.timeouts().delivery(), "IDLE in INBOX");
        assertThat(RawMailClient.imapCapabilitiesAfterLogin("127.0.0.1", relay.port("imaps"), c.addr(), c.password(),
                p.timeouts().call())).contains("XCHATMAIL");
    }

    @Test
    void twoProfilesOverImplicitTlsCreateTheirAccountsAndSeeAChatmailRelay() throws IOException {
        for (String name : new String[] {"alice", "bob"}) {
            AcceptanceRelay.Credentials c = relay.newCredentials();
            assertThat(relay.accountExists(c.addr())).isFalse();
            DeltaChatProfile p = DeltaChatProfile.create(core, name);

            p.configure(relay.sslLogin(c));

            assertThat(relay.accountExists(c.addr())).as("account created by the first login").isTrue();
            assertThat(p.config("configured_addr")).isEqualTo(c.addr());
            assertThat(p.config("configured")).isEqualTo("1");
            assertSeenAsChatmail(p, c);
        }
    }

    @Test
    void profileOverStarttlsPortsCreatesItsAccountAndSeesAChatmailRelay() throws IOException {
        AcceptanceRelay.Credentials c = relay.newCredentials();
        DeltaChatProfile p = DeltaChatProfile.create(core, "carol");

        p.configure(relay.starttlsLogin(c));

        assertThat(relay.accountExists(c.addr())).isTrue();
        assertSeenAsChatmail(p, c);
        assertThat(p.call("list_transports").get(0).path("imapSecurity").asText()).isEqualTo("starttls");
    }
}
