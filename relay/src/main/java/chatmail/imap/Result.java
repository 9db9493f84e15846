package chatmail.imap;

/**
 * How a command ended: the tagged status and text the session writes after reporting mailbox
 * changes, or {@link #ANSWERED} when the command wrote its tagged response itself (STARTTLS and
 * COMPRESS must, before the streams change).
 *
 * @param status OK, NO or BAD; null for ANSWERED
 * @param close the connection ends after the response
 */
record Result(String status, String text, boolean close) {

    static final Result ANSWERED = new Result(null, null, false);

    static Result ok(String text) {
        return new Result("OK", text, false);
    }

    static Result no(String text) {
        return new Result("NO", text, false);
    }

    static Result bad(String text) {
        return new Result("BAD", text, false);
    }

    /** A refusal after which the connection closes (a limit reached at login). */
    static Result noThenClose(String text) {
        return new Result("NO", text, true);
    }

    /** The tagged response, then the connection closes (LOGOUT). */
    static Result okThenClose(String text) {
        return new Result("OK", text, true);
    }
}
