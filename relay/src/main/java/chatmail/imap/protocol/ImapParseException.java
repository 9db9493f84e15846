package chatmail.imap.protocol;

/**
 * A command the parser could not accept. The session answers it with {@code BAD} and the
 * message, which names what was wrong but never echoes raw client bytes.
 */
public final class ImapParseException extends Exception {
    private final String tag;
    private final String command;

    public ImapParseException(String tag, String command, String message) {
        super(message, null, false, false);
        this.tag = tag;
        this.command = command;
    }

    /** The command's tag, or {@code null} when not even the tag could be read. */
    public String tag() {
        return tag;
    }

    /** The command name (upper case, atom characters only), or {@code null} when unknown. */
    public String command() {
        return command;
    }

    /** The text for the client: {@code Error in IMAP command NAME: reason}. */
    public String responseText() {
        return command == null ? getMessage() : "Error in IMAP command " + command + ": " + getMessage();
    }
}
