package chatmail.smtp;

import chatmail.testing.TestRelay;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * One relay with the default settings, started once for all tests of a class and stopped after
 * them: a relay per test would make the SMTP tests several times slower.
 */
abstract class WithSharedRelay {

    @TempDir
    static Path dir;
    static TestRelay relay;

    @BeforeAll
    static void startRelay() throws Exception {
        relay = TestRelay.start(dir);
    }

    @AfterAll
    static void stopRelay() {
        relay.close();
    }
}
