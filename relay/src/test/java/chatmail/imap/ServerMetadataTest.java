package chatmail.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServerMetadataTest {
    @Test
    void turnCredentialsFollowTheRestSharedSecretScheme() {
        // Reference value: printf '1700000000' | openssl dgst -sha1 -hmac secret -binary | base64
        assertThat(TurnCredentials.password("secret", "1700000000")).isEqualTo("WGw37+g43pfwVUmrc9tgArn/juE=");
        assertThat(TurnCredentials.entry("turn.example:3478", "secret", Instant.ofEpochSecond(1_700_000_000L)))
                .isEqualTo("turn.example:3478:1700000000:WGw37+g43pfwVUmrc9tgArn/juE=");
    }

    @Test
    void appVersionsJsonGoesOnOneLine() {
        assertThat(ServerMetadata.oneLine("{\r\n  \"a\" : [1, 2],\n\t\"b\": \"x y \\\" z\"\n}\n"))
                .isEqualTo("{\"a\":[1,2],\"b\":\"x y \\\" z\"}");
    }
}
