package chatmail.push;

/** What the notification service answered to one token (PUSH-1). */
public sealed interface NotifyOutcome {

    /** 200: the device is being woken. */
    record Delivered() implements NotifyOutcome {}

    /** 410: the token is dead; forget it. */
    record TokenGone() implements NotifyOutcome {}

    /**
     * Anything else (another status, a connection or TLS failure, a timeout): try again.
     *
     * @param reason for the log; never contains the token
     */
    record Failed(String reason) implements NotifyOutcome {}

    /** The outcome of an HTTP status. */
    static NotifyOutcome ofStatus(int status) {
        return switch (status) {
            case 200 -> new Delivered();
            case 410 -> new TokenGone();
            default -> new Failed("HTTP " + status);
        };
    }
}
