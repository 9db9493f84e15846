package chatmail.delivery;

/**
 * One recipient a message could not reach, with the SMTP reply that says why
 * (e.g. {@code 550 5.1.1 No such user}).
 */
public record FailedRecipient(String address, String smtpReply) {

    /** The enhanced status code of the reply, e.g. {@code 5.1.1}; {@code 5.0.0} when it has none. */
    public String status() {
        String[] parts = smtpReply.trim().split("\\s+");
        if (parts.length > 1 && parts[1].matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            return parts[1];
        }
        return parts.length > 0 && parts[0].startsWith("4") ? "4.0.0" : "5.0.0";
    }
}
