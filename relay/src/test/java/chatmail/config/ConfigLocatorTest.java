package chatmail.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLocatorTest {
    @TempDir
    Path dir;

    private Path ini(String name, String domain) throws Exception {
        return Files.writeString(dir.resolve(name), "[params]\nmail_domain = " + domain + "\n");
    }

    @Test
    void theOptionWinsOverTheEnvironmentWhichWinsOverTheWorkingDirectory() throws Exception {
        ini("chatmail.ini", "cwd.localhost");
        ini("env.ini", "env.localhost");
        ini("option.ini", "option.localhost");
        Map<String, String> env = Map.of("CHATMAIL_INI", "env.ini");
        assertThat(domainOf(ConfigLocator.locate(Path.of("option.ini"), env, dir))).isEqualTo("option.localhost");
        assertThat(domainOf(ConfigLocator.locate(null, env, dir))).isEqualTo("env.localhost");
        assertThat(domainOf(ConfigLocator.locate(null, Map.of(), dir))).isEqualTo("cwd.localhost");
    }

    private static String domainOf(ConfigSource source) throws ConfigException {
        return ConfigLoader.load(source).config().mailDomain();
    }

    @Test
    void aNamedFileThatDoesNotExistIsAnErrorNotDevMode() {
        assertThatThrownBy(() -> ConfigLocator.locate(Path.of("missing.ini"), Map.of(), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("missing.ini").toString())
                .hasMessageContaining("--config")
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ConfigLocator.locate(null, Map.of("CHATMAIL_INI", "/nonexistent/c.ini"), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/c.ini")
                .hasMessageContaining("$CHATMAIL_INI");
    }

    @Test
    void withoutAnyFileItIsDevModeOnLoopbackWithUnprivilegedPorts() throws Exception {
        ConfigSource source = ConfigLocator.locate(null, Map.of(), dir);
        assertThat(source).isInstanceOf(ConfigSource.Dev.class);
        LoadedConfig loaded = ConfigLoader.load(source);
        Config c = loaded.config();
        assertThat(loaded.warnings()).isEmpty();
        assertThat(c.mailDomain()).isEqualTo("chatmail.localhost");
        assertThat(c.listenAddresses()).containsExactly("127.0.0.1");
        assertThat(List.of(c.smtpPort(), c.submissionPort(), c.submissionsPort(), c.imapPort(), c.imapsPort(),
                c.httpPort(), c.httpsPort())).containsExactly(2525, 5587, 4465, 1143, 1993, 8080, 8443);
        assertThat(c.dataDir()).isEqualTo(dir.toAbsolutePath().resolve("data"));
        assertThat(c.tlsMode()).isEqualTo(Config.TlsMode.SELF_SIGNED);
        ConfigValidator.checkRunnable(c);
    }
}
