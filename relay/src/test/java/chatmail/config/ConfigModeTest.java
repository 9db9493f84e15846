package chatmail.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigModeTest {
    @Test
    void tlsModeFollowsTheDomain() {
        assertThat(Config.builder("example.org").build().tlsMode()).isEqualTo(Config.TlsMode.ACME);
        assertThat(Config.builder("_test.example.org").build().tlsMode()).isEqualTo(Config.TlsMode.SELF_SIGNED);
        assertThat(Config.builder("chatmail.localhost").build().tlsMode()).isEqualTo(Config.TlsMode.SELF_SIGNED);
        assertThat(Config.builder("1.2.3.4").build().tlsMode()).isEqualTo(Config.TlsMode.SELF_SIGNED);
        assertThat(Config.builder("1.2.3.4").build().addressDomain()).isEqualTo("[1.2.3.4]");
    }
}
