package chatmail.imap;

import java.time.Duration;

/** The rules of push device tokens (IMAP-5), for METADATA here and for the import of old ones. */
public final class DeviceTokens {
    /** The METADATA entry on INBOX where Delta Chat stores its token. */
    public static final String ENTRY = "/private/devicetoken";
    /** A token is valid this long after its last SETMETADATA. */
    public static final Duration LIFETIME = Duration.ofDays(90);
    /** Devices per account whose tokens are kept; the least recently set goes first. */
    public static final int MAX_PER_ACCOUNT = 20;

    private DeviceTokens() {}
}
