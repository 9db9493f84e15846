package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.config.ConfigLoader;
import chatmail.config.LoadedConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InitCommandTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int init(String... args) {
        CommandLine cli = new CommandLine(new InitCommand());
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        return cli.execute(args);
    }

    @Test
    void writesACommentedFileThatLoadsToExactlyTheDefaults() throws Exception {
        Path file = dir.resolve("chatmail.ini");
        assertThat(init("chat.example.org", "--config", file.toString())).isZero();
        String text = Files.readString(file);
        assertThat(text).contains("[params]", "mail_domain = chat.example.org", "# Largest message accepted");
        LoadedConfig loaded = ConfigLoader.load(file);
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.config()).isEqualTo(Config.builder("chat.example.org").build());
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        Path file = Files.writeString(dir.resolve("mine.ini"), "keep me");
        assertThat(init("chat.example.org", "-c", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(file.toString(), "already exists", "--force");
        assertThat(Files.readString(file)).isEqualTo("keep me");

        assertThat(init("other.example.org", "-c", file.toString(), "--force")).isZero();
        assertThat(ConfigLoader.load(file).config().mailDomain()).isEqualTo("other.example.org");
    }

    @Test
    void aBadDomainIsAConfigurationError() {
        Path file = dir.resolve("chatmail.ini");
        assertThat(init("not a domain", "-c", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("mail_domain");
        assertThat(file).doesNotExist();
    }
}
