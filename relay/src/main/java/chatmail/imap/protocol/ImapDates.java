package chatmail.imap.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The date formats of IMAP responses. */
public final class ImapDates {
    private static final DateTimeFormatter INTERNAL_DATE =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

    private ImapDates() {}

    /** {@code "17-Jul-1996 02:44:25 +0000"}, quotes included. */
    public static String internalDate(Instant instant) {
        return "\"" + INTERNAL_DATE.format(instant) + "\"";
    }
}
