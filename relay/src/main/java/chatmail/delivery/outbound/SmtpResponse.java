package chatmail.delivery.outbound;

import java.util.List;

/** One reply of a remote SMTP server: its code and its text lines (without code and separator). */
public record SmtpResponse(int code, List<String> lines) {

    public SmtpResponse {
        lines = List.copyOf(lines);
    }

    public boolean positive() {
        return code >= 200 && code < 400;
    }

    public boolean permanent() {
        return code >= 500;
    }

    /** The reply as one line, e.g. {@code 550 5.1.1 No such user}: what goes into a bounce. */
    public String line() {
        return code + " " + String.join(" ", lines).strip();
    }

    @Override
    public String toString() {
        return line();
    }
}
