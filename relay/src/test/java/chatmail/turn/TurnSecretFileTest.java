package chatmail.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TURN secret of a single relay: made once, 0600 from the start, the same on every start. */
class TurnSecretFileTest {
    @TempDir
    Path dir;

    @Test
    void madeAtFirstStartWithOwnerOnlyPermissionsAndKept() throws Exception {
        TurnSecretFile source = new TurnSecretFile(dir.resolve("data"));
        String secret = source.secret();
        assertThat(secret).matches("[A-Za-z0-9_-]{43}");
        Path file = dir.resolve("data/turn_secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(new TurnSecretFile(dir.resolve("data")).secret()).isEqualTo(secret);
        assertThat(new TurnSecretFile(dir.resolve("other")).secret()).isNotEqualTo(secret);
    }

    @Test
    void anEmptyFileIsAnErrorNotAnEmptySecret() throws Exception {
        Files.writeString(dir.resolve("turn_secret"), "\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TurnSecretFile(dir).secret())
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("turn_secret is empty");
    }
}
