package chatmail.cli;

/** Exit codes of every command: the same meaning everywhere, so scripts can rely on them. */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int CONFIG_ERROR = 2;
    /** A command line that cannot be parsed: picocli's code for it, which is the same. */
    static final int USAGE = 2;

    private ExitCodes() {}
}
