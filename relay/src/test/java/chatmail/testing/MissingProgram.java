package chatmail.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The project's one rule for tests that need an external program (strace, swaks, nsd, Postfix,
 * Chromium, the Delta Chat core): on CI ({@code CI=true}) a missing program is a failure, never a
 * silent skip; on a developer's machine the test is skipped with the message saying what to install.
 */
public final class MissingProgram {

    private MissingProgram() {}

    /** Fails (CI) or aborts (elsewhere) the running test; never returns normally. */
    public static RuntimeException report(String message) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message);
        }
        Assumptions.abort(message + "; skipped outside CI");
        throw new AssertionError("unreachable");
    }
}
