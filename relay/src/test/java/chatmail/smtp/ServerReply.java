package chatmail.smtp;

import java.util.List;

/** One reply as the client read it: every line with its code, without CRLF. */
public record ServerReply(List<String> lines) {

    public ServerReply {
        lines = List.copyOf(lines);
    }

    public int code() {
        return Integer.parseInt(lines.getFirst().substring(0, 3));
    }

    /** The last (or only) line, e.g. {@code 250 2.0.0 Ok}. */
    public String line() {
        return lines.getLast();
    }

    public boolean positive() {
        return code() < 400;
    }

    @Override
    public String toString() {
        return String.join(" | ", lines);
    }
}
