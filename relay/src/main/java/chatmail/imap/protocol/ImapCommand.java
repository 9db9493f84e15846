package chatmail.imap.protocol;

import chatmail.store.MessageBody;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed IMAP command, without its tag. Strings are decoded as UTF-8 (invalid bytes become
 * U+FFFD); mailbox names are kept as sent (the session treats {@code INBOX} case-insensitively).
 */
public sealed interface ImapCommand {

    /** The command name as the client would write it, for messages and logs. */
    String name();

    // ---- any state

    record Capability() implements ImapCommand {
        public String name() {
            return "CAPABILITY";
        }
    }

    record Noop() implements ImapCommand {
        public String name() {
            return "NOOP";
        }
    }

    record Logout() implements ImapCommand {
        public String name() {
            return "LOGOUT";
        }
    }

    /** ID (RFC 2971): field/value pairs, or {@code null} for {@code ID NIL}; values may be null. */
    record Id(List<String> fieldsAndValues) implements ImapCommand {
        public Id {
            fieldsAndValues = fieldsAndValues == null ? null : java.util.Collections.unmodifiableList(
                    new java.util.ArrayList<>(fieldsAndValues));
        }

        public String name() {
            return "ID";
        }
    }

    // ---- not authenticated

    record StartTls() implements ImapCommand {
        public String name() {
            return "STARTTLS";
        }
    }

    record Login(String user, String password) implements ImapCommand {
        public String name() {
            return "LOGIN";
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", password=<hidden>]";
        }
    }

    /**
     * AUTHENTICATE with an optional SASL-IR initial response (base64 as sent; {@code "="} is an
     * empty response), {@code null} when none was given.
     */
    record Authenticate(String mechanism, String initialResponse) implements ImapCommand {
        public String name() {
            return "AUTHENTICATE";
        }

        @Override
        public String toString() {
            return "Authenticate[" + mechanism + "]";
        }
    }

    // ---- authenticated

    record Enable(List<String> capabilities) implements ImapCommand {
        public Enable {
            capabilities = List.copyOf(capabilities);
        }

        public String name() {
            return "ENABLE";
        }
    }

    record Namespace() implements ImapCommand {
        public String name() {
            return "NAMESPACE";
        }
    }

    /** SELECT, or EXAMINE when {@code readOnly}; {@code condstore} for the (CONDSTORE) parameter. */
    record Select(String mailbox, boolean readOnly, boolean condstore) implements ImapCommand {
        public String name() {
            return readOnly ? "EXAMINE" : "SELECT";
        }
    }

    record Create(String mailbox) implements ImapCommand {
        public String name() {
            return "CREATE";
        }
    }

    record Delete(String mailbox) implements ImapCommand {
        public String name() {
            return "DELETE";
        }
    }

    record Rename(String from, String to) implements ImapCommand {
        public String name() {
            return "RENAME";
        }
    }

    /** SUBSCRIBE, or UNSUBSCRIBE when {@code !subscribe}. */
    record Subscribe(String mailbox, boolean subscribe) implements ImapCommand {
        public String name() {
            return subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE";
        }
    }

    /**
     * LIST or LSUB. {@code selectOptions} and {@code returnOptions} are the RFC 5258 extended
     * forms, upper-cased; empty for the basic command.
     */
    record ListMailboxes(boolean lsub, String reference, List<String> patterns, List<String> selectOptions,
                         List<String> returnOptions) implements ImapCommand {
        public ListMailboxes {
            patterns = List.copyOf(patterns);
            selectOptions = List.copyOf(selectOptions);
            returnOptions = List.copyOf(returnOptions);
        }

        public String name() {
            return lsub ? "LSUB" : "LIST";
        }
    }

    /** STATUS; items upper-cased. */
    record Status(String mailbox, List<String> items) implements ImapCommand {
        public Status {
            items = List.copyOf(items);
        }

        public String name() {
            return "STATUS";
        }
    }

    /**
     * APPEND; {@code date} is null when not given. The message is in memory when small, else
     * spooled (SEC-1); whoever read the command closes it.
     */
    record Append(String mailbox, List<String> flags, OffsetDateTime date, MessageBody message) implements ImapCommand {
        public Append {
            flags = List.copyOf(flags);
        }

        public Append(String mailbox, List<String> flags, OffsetDateTime date, byte[] message) {
            this(mailbox, flags, date, MessageBody.of(message));
        }

        public String name() {
            return "APPEND";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Append a && a.mailbox.equals(mailbox) && a.flags.equals(flags)
                    && java.util.Objects.equals(a.date, date) && Arrays.equals(bytes(a.message), bytes(message));
        }

        @Override
        public int hashCode() {
            return mailbox.hashCode() * 31 + Long.hashCode(message.size());
        }

        @Override
        public String toString() {
            return "Append[" + mailbox + ", " + flags + ", " + date + ", " + message.size() + " bytes]";
        }

        private static byte[] bytes(MessageBody body) {
            try {
                return body.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    record Idle() implements ImapCommand {
        public String name() {
            return "IDLE";
        }
    }

    record GetQuotaRoot(String mailbox) implements ImapCommand {
        public String name() {
            return "GETQUOTAROOT";
        }
    }

    record GetQuota(String root) implements ImapCommand {
        public String name() {
            return "GETQUOTA";
        }
    }

    /** SETQUOTA; parsed so it can be refused properly. */
    record SetQuota(String root, List<String> resourcesAndLimits) implements ImapCommand {
        public SetQuota {
            resourcesAndLimits = List.copyOf(resourcesAndLimits);
        }

        public String name() {
            return "SETQUOTA";
        }
    }

    /**
     * GETMETADATA (RFC 5464). {@code maxSize} is -1 when not given; {@code depth} is "0", "1"
     * or "infinity".
     */
    record GetMetadata(long maxSize, String depth, String mailbox, List<String> entries) implements ImapCommand {
        public GetMetadata {
            entries = List.copyOf(entries);
        }

        public String name() {
            return "GETMETADATA";
        }
    }

    /** One entry of SETMETADATA; a null value removes the entry. */
    record MetadataEntry(String entry, String value) {}

    record SetMetadata(String mailbox, List<MetadataEntry> entries) implements ImapCommand {
        public SetMetadata {
            entries = List.copyOf(entries);
        }

        public String name() {
            return "SETMETADATA";
        }
    }

    record Compress(String mechanism) implements ImapCommand {
        public String name() {
            return "COMPRESS";
        }
    }

    // ---- selected

    record Check() implements ImapCommand {
        public String name() {
            return "CHECK";
        }
    }

    record Close() implements ImapCommand {
        public String name() {
            return "CLOSE";
        }
    }

    record Unselect() implements ImapCommand {
        public String name() {
            return "UNSELECT";
        }
    }

    /** EXPUNGE, or UID EXPUNGE when {@code uids} is not null. */
    record Expunge(SequenceSet uids) implements ImapCommand {
        public String name() {
            return uids == null ? "EXPUNGE" : "UID EXPUNGE";
        }
    }

    /** SEARCH; {@code charset} is null when not given. */
    record Search(boolean uid, String charset, SearchKey.And criteria) implements ImapCommand {
        public String name() {
            return uid ? "UID SEARCH" : "SEARCH";
        }
    }

    /** FETCH; {@code changedSince} is -1 when not given. */
    record Fetch(boolean uid, SequenceSet set, List<FetchItem> items, long changedSince) implements ImapCommand {
        public Fetch {
            items = List.copyOf(items);
        }

        public String name() {
            return uid ? "UID FETCH" : "FETCH";
        }
    }

    enum StoreMode { ADD, REMOVE, REPLACE }

    /** STORE; {@code unchangedSince} is -1 when not given. */
    record Store(boolean uid, SequenceSet set, long unchangedSince, StoreMode mode, boolean silent,
                 List<String> flags) implements ImapCommand {
        public Store {
            flags = List.copyOf(flags);
        }

        public String name() {
            return uid ? "UID STORE" : "STORE";
        }
    }

    /** COPY, or MOVE when {@code move}. */
    record Copy(boolean uid, SequenceSet set, String mailbox, boolean move) implements ImapCommand {
        public String name() {
            return (uid ? "UID " : "") + (move ? "MOVE" : "COPY");
        }
    }
}
