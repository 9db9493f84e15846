package chatmail.deltachat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One relay and one Delta Chat core for all tests of a class, since both take a while to start. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WithRelayAndCore {

    @TempDir
    static Path dir;

    AcceptanceRelay relay;
    DeltaChatCore core;

    @BeforeAll
    void startRelayAndCore() throws IOException {
        core = DeltaChatCore.start(dir.resolve("client"), DcTimeouts.defaults());
        relay = AcceptanceRelay.start(dir.resolve("relay"));
    }

    @AfterAll
    void stopRelayAndCore() {
        if (core != null) {
            core.close();
        }
        if (relay != null) {
            relay.close();
        }
    }
}
