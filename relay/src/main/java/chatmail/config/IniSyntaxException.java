package chatmail.config;

/** The text is not a well-formed INI file; the only exception {@link IniParser} lets escape. */
public final class IniSyntaxException extends ConfigException {
    private final int line;

    public IniSyntaxException(int line, String problem) {
        super("line " + line + ": " + problem);
        this.line = line;
    }

    /** 1-based line number where the problem was found. */
    public int line() {
        return line;
    }
}
