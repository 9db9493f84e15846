package chatmail.bench;

/**
 * One SMTP reply as the client saw it: the three-digit code and the text of its last line.
 * {@link #parse} reads one reply line; {@code last} is false for continuation lines ({@code 250-}).
 */
record SmtpReplyLine(int code, boolean last, String text) {

    static SmtpReplyLine parse(String line) {
        if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                || !Character.isDigit(line.charAt(2))) {
            throw new IllegalArgumentException("not an SMTP reply: " + abbreviate(line));
        }
        int code = Integer.parseInt(line.substring(0, 3));
        boolean last = line.length() == 3 || line.charAt(3) == ' ';
        if (!last && line.charAt(3) != '-') {
            throw new IllegalArgumentException("not an SMTP reply: " + abbreviate(line));
        }
        return new SmtpReplyLine(code, last, line.length() > 4 ? line.substring(4) : "");
    }

    boolean positive() {
        return code >= 200 && code < 400;
    }

    @Override
    public String toString() {
        return code + " " + text;
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
