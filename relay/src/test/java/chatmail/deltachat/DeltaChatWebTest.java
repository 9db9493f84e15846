package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Scenarios 2 (port 443 part) and 3 of the acceptance issue: IMAP and SMTP both through the
 * HTTPS port, told apart by ALPN; and a profile made from the {@code dclogin:} link that
 * {@code /new} returns in self-signed mode.
 */
@Tag("deltachat")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeltaChatWebTest extends WithRelayAndCore {

    @Test
    void profilesUsingOnlyPort443ChatThroughIt() {
        DeltaChatProfile alice = DeltaChatProfile.create(core, "alice");
        AcceptanceRelay.Credentials a = relay.newCredentials();
        alice.configure(relay.port443Login(a));
        assertThat(relay.accountExists(a.addr())).isTrue();
        DeltaChatProfile bob = DeltaChatProfile.create(core, "bob");
        bob.configure(relay.port443Login(relay.newCredentials()));

        SecureJoin.Contact contact = SecureJoin.setupContact(alice, bob);
        int bm = bob.mark();
        alice.sendText(contact.inviterChat(), "over 443");
        assertThat(bob.awaitIncomingText(bm, "over 443").message().path("showPadlock").asBoolean()).isTrue();
        int am = alice.mark();
        bob.sendText(contact.joinerChat(), "back over 443");
        alice.awaitIncomingText(am, "back over 443");
        assertThat(alice.call("list_transports").get(0).path("imapPort").asInt()).isEqualTo(relay.port("https"));
    }

    @Test
    void profileFromTheDcloginLinkOfNew() throws Exception {
        JsonNode answer = postNew(relay.port("https"), core.timeouts().call());
        String email = answer.path("email").asText();
        String link = answer.path("dclogin_url").asText();
        assertThat(link).startsWith("dclogin:" + email);

        DeltaChatProfile carol = DeltaChatProfile.create(core, "carol");
        carol.configureFromQr(link);

        assertThat(carol.addr()).isEqualTo(email);
        assertThat(relay.accountExists(email)).as("created by the client's first login").isTrue();
        DeltaChatProfile dave = DeltaChatProfile.create(core, "dave");
        dave.configure(relay.sslLogin(relay.newCredentials()));
        SecureJoin.Contact contact = SecureJoin.setupContact(carol, dave);
        int dm = dave.mark();
        carol.sendText(contact.inviterChat(), "from a dclogin profile");
        dave.awaitIncomingText(dm, "from a dclogin profile");
    }

    /** {@code POST https://127.0.0.1:<port>/new} as the invite page's button does; certificates not checked. */
    static JsonNode postNew(int port, Duration timeout) throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        HttpsURLConnection c = (HttpsURLConnection) URI.create("https://127.0.0.1:" + port + "/new").toURL().openConnection();
        c.setSSLSocketFactory(ctx.getSocketFactory());
        c.setHostnameVerifier((host, session) -> true);
        c.setConnectTimeout((int) timeout.toMillis());
        c.setReadTimeout((int) timeout.toMillis());
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.getOutputStream().close();
        assertThat(c.getResponseCode()).isEqualTo(200);
        try (InputStream in = c.getInputStream()) {
            return JsonRpcClient.JSON.readTree(in);
        } finally {
            c.disconnect();
        }
    }
}
