package chatmail.deltachat;

import chatmail.testing.MissingProgram;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the Delta Chat core's JSON-RPC program ({@code deltachat-rpc-server}, npm package
 * {@code @deltachat/stdio-rpc-server-linux-x64}) that {@code scripts/install-deltachat-core}
 * puts into {@code .test-deps/}. {@code $DELTACHAT_RPC_SERVER} names another copy.
 */
final class DeltaChatRpcBinary {

    static final String PACKAGE = "@deltachat/stdio-rpc-server-linux-x64";
    static final String VERSION = "2.62.0";

    private DeltaChatRpcBinary() {
    }

    /** Where the install script puts it, relative to the project directory. */
    static Path defaultLocation(Path projectDir) {
        return projectDir.resolve(".test-deps/node_modules").resolve(PACKAGE).resolve("deltachat-rpc-server");
    }

    static Path locate() {
        String override = System.getenv("DELTACHAT_RPC_SERVER");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        return defaultLocation(chatmail.testing.ProjectDir.root());
    }

    /**
     * The program, or the end of the test: with CI=true a missing client is a failure (CI must
     * have installed it); elsewhere the test is skipped with a message saying how to install it.
     */
    static Path require() {
        Path binary = locate();
        if (Files.isExecutable(binary)) {
            return binary;
        }
        String message = "the Delta Chat core (" + PACKAGE + "@" + VERSION + ") is not at " + binary
                + "; run scripts/install-test-deps (needs npm) or set DELTACHAT_RPC_SERVER";
        throw MissingProgram.report(message);
    }
}
