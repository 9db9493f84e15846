package chatmail.delivery.outbound;

import java.util.Map;

/** How an SMTP delivery to one MX address ended. */
sealed interface SmtpHostOutcome {

    /** Not reached, or not safely (no STARTTLS, bad certificate, connection lost): try the next MX. */
    record Unreachable(String reason) implements SmtpHostOutcome {}

    /** The server answered the transaction: one result per recipient. */
    record Answered(Map<String, RecipientResult> results) implements SmtpHostOutcome {}
}
