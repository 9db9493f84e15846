package chatmail.imap.protocol;

/** One client command: its tag and what it asks. */
public record ImapRequest(String tag, ImapCommand command) {}
