package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SPEC ACC-4: generated credentials are ones the relay will accept, and dclogin links carry them intact. */
class CredentialsAndLinksTest {

    private final Config config = Config.builder("chatmail.localhost").build();

    @Test
    void generatedCredentialsFollowTheConfiguredLengthsAndAreAccepted() {
        CredentialGenerator generator = new CredentialGenerator(config);
        AddressRules rules = new AddressRules(config);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            CredentialGenerator.Credentials c = generator.next();
            assertThat(c.email()).matches("[a-z0-9]{9}@chatmail\\.localhost");
            assertThat(c.password()).hasSize(12).matches("[\\p{Alnum}\\p{Punct}]+");
            assertThat(rules.mayCreate(c.email(), c.password())).isTrue();
            seen.add(c.email());
        }
        assertThat(seen).hasSize(200);
    }

    @Test
    void dcloginLinkPercentEncodesThePasswordAndNamesTheServers() {
        String password = "a b+c&d=e%f?g#h/é";
        String link = DcLoginLink.withServers("abcdefghi@chatmail.localhost", password, "127.0.0.1", 1993, 4465);

        assertThat(link).startsWith("dclogin:abcdefghi@chatmail.localhost?p=")
                .endsWith("&v=1&ic=3&ih=127.0.0.1&ip=1993&is=ssl&sh=127.0.0.1&sp=4465&ss=ssl");
        String encoded = link.substring(link.indexOf("?p=") + 3, link.indexOf("&v=1"));
        assertThat(encoded).doesNotContain(" ", "+", "&", "=", "?", "#", "/");
        assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo(password);
    }
}
