package chatmail.smtp.protocol;

import chatmail.smtp.protocol.SmtpCommand.Auth;
import chatmail.smtp.protocol.SmtpCommand.Body;
import chatmail.smtp.protocol.SmtpCommand.Data;
import chatmail.smtp.protocol.SmtpCommand.Ehlo;
import chatmail.smtp.protocol.SmtpCommand.Helo;
import chatmail.smtp.protocol.SmtpCommand.Help;
import chatmail.smtp.protocol.SmtpCommand.Invalid;
import chatmail.smtp.protocol.SmtpCommand.Mail;
import chatmail.smtp.protocol.SmtpCommand.MailParameters;
import chatmail.smtp.protocol.SmtpCommand.Noop;
import chatmail.smtp.protocol.SmtpCommand.Quit;
import chatmail.smtp.protocol.SmtpCommand.Rcpt;
import chatmail.smtp.protocol.SmtpCommand.Rset;
import chatmail.smtp.protocol.SmtpCommand.StartTls;
import chatmail.smtp.protocol.SmtpCommand.Unknown;
import chatmail.smtp.protocol.SmtpCommand.Vrfy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Turns one command line (without CRLF) into an {@link SmtpCommand}. Pure and total: every
 * input gives a command or a {@link SmtpCommand.Rejected} with its reply, never an exception.
 * Verbs and keywords are case-insensitive; a space after {@code FROM:}/{@code TO:} and
 * trailing spaces are tolerated.
 */
public final class SmtpCommandParser {
    private static final Set<String> NOT_IMPLEMENTED =
            Set.of("EXPN", "TURN", "ETRN", "ATRN", "BDAT", "SEND", "SOML", "SAML", "BURL", "VERB");
    private static final int MAX_MECHANISM_LENGTH = 20;

    private static final SmtpReply INVALID_UTF8 = SmtpReplies.SYNTAX_ERROR.withDetail("(invalid UTF-8)");
    private static final SmtpReply CONTROL_CHARACTER = SmtpReplies.SYNTAX_ERROR.withDetail("(control character)");
    private static final SmtpReply NO_ARGUMENTS = SmtpReplies.BAD_ARGUMENTS.withDetail("(no arguments allowed)");
    private static final SmtpReply BAD_ADDRESS = SmtpReplies.BAD_ARGUMENTS.withDetail("(bad address syntax)");

    private SmtpCommandParser() {
    }

    /** Parses the raw line bytes, which must be valid UTF-8 (RFC 6531). */
    public static SmtpCommand parse(byte[] line) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Unknown("", INVALID_UTF8);
        }
        return parse(text);
    }

    public static SmtpCommand parse(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return new Unknown("", CONTROL_CHARACTER);
            }
            if (Character.isHighSurrogate(c) && i + 1 < line.length() && Character.isLowSurrogate(line.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return new Unknown("", INVALID_UTF8);
            }
        }
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        String trimmed = line.substring(0, end);
        int space = trimmed.indexOf(' ');
        String rawVerb = space < 0 ? trimmed : trimmed.substring(0, space);
        String args = space < 0 ? "" : trimmed.substring(space + 1).stripLeading();
        // Checked before upper-casing: some non-ASCII letters upper-case to ASCII ones.
        if (!isAsciiWord(rawVerb)) {
            return new Unknown("", SmtpReplies.SYNTAX_ERROR);
        }
        String verb = rawVerb.toUpperCase(Locale.ROOT);
        return switch (verb) {
            case "EHLO", "HELO" -> greeting(verb, args);
            case "MAIL" -> mail(args);
            case "RCPT" -> rcpt(args);
            case "DATA" -> noArgs(verb, args, new Data());
            case "RSET" -> noArgs(verb, args, new Rset());
            case "QUIT" -> noArgs(verb, args, new Quit());
            case "STARTTLS" -> noArgs(verb, args, new StartTls());
            case "NOOP" -> new Noop(args);
            case "HELP" -> new Help(args);
            case "VRFY" -> args.isEmpty() ? invalid(verb, SmtpReplies.BAD_ARGUMENTS) : new Vrfy(args);
            case "AUTH" -> auth(args);
            default -> NOT_IMPLEMENTED.contains(verb)
                    ? new Unknown(verb, SmtpReplies.NOT_IMPLEMENTED)
                    : new Unknown(verb, SmtpReplies.SYNTAX_ERROR);
        };
    }

    private static SmtpCommand greeting(String verb, String args) {
        if (args.isEmpty()) {
            return invalid(verb, SmtpReplies.BAD_ARGUMENTS.withDetail("(" + verb + " requires domain address)"));
        }
        // Lenient like Postfix: the first word is the name, broken clients add more.
        int space = args.indexOf(' ');
        String domain = space < 0 ? args : args.substring(0, space);
        return verb.equals("EHLO") ? new Ehlo(domain) : new Helo(domain);
    }

    private static SmtpCommand noArgs(String verb, String args, SmtpCommand command) {
        return args.isEmpty() ? command : invalid(verb, NO_ARGUMENTS);
    }

    private static SmtpCommand auth(String args) {
        String[] words = args.split(" +");
        if (args.isEmpty() || words.length > 2) {
            return invalid("AUTH", SmtpReplies.BAD_ARGUMENTS);
        }
        String mechanism = words[0];
        if (mechanism.length() > MAX_MECHANISM_LENGTH || !mechanism.matches("[A-Za-z0-9_-]+")) {
            return invalid("AUTH", SmtpReplies.BAD_ARGUMENTS);
        }
        return new Auth(mechanism, words.length == 2 ? Optional.of(words[1]) : Optional.empty());
    }

    private static SmtpCommand mail(String args) {
        String rest = afterKeyword(args, "FROM:");
        if (rest == null) {
            return invalid("MAIL", SmtpReplies.BAD_ARGUMENTS.withDetail("(expected MAIL FROM:<address>)"));
        }
        int close = pathEnd(rest);
        if (close < 0) {
            return invalid("MAIL", BAD_ADDRESS);
        }
        String content = rest.substring(1, close);
        Optional<SmtpAddress> sender;
        if (content.isEmpty()) {
            sender = Optional.empty();
        } else {
            try {
                sender = Optional.of(AddressSyntax.parsePathContent(content, false));
            } catch (AddressSyntax.BadAddress e) {
                return invalid("MAIL", BAD_ADDRESS);
            }
        }
        String params = rest.substring(close + 1);
        if (!params.isEmpty() && !params.startsWith(" ")) {
            return invalid("MAIL", BAD_ADDRESS);
        }
        OptionalLong size = OptionalLong.empty();
        Body body = Body.UNSPECIFIED;
        boolean smtpUtf8 = false;
        Set<String> seen = new HashSet<>();
        for (String param : params.strip().split(" +")) {
            if (param.isEmpty()) {
                continue;
            }
            int eq = param.indexOf('=');
            String rawKeyword = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? null : param.substring(eq + 1);
            if (!isKeyword(rawKeyword) || (value != null && value.isEmpty())) {
                return invalid("MAIL", SmtpReplies.BAD_ARGUMENTS);
            }
            String keyword = rawKeyword.toUpperCase(Locale.ROOT);
            if (!seen.add(keyword)) {
                return invalid("MAIL", SmtpReplies.BAD_ARGUMENTS.withDetail("(duplicate " + keyword + ")"));
            }
            switch (keyword) {
                case "SIZE" -> {
                    if (value == null || !value.matches("[0-9]{1,20}")) {
                        return invalid("MAIL", SmtpReplies.BAD_ARGUMENTS.withDetail("(bad SIZE)"));
                    }
                    size = OptionalLong.of(parseSize(value));
                }
                case "BODY" -> {
                    String v = value == null || !isAscii(value) ? "" : value.toUpperCase(Locale.ROOT);
                    switch (v) {
                        case "7BIT" -> body = Body.SEVEN_BIT;
                        case "8BITMIME" -> body = Body.EIGHT_BIT_MIME;
                        case "BINARYMIME" -> {
                            return invalid("MAIL", SmtpReplies.UNSUPPORTED_PARAMETER);
                        }
                        default -> {
                            return invalid("MAIL", SmtpReplies.BAD_ARGUMENTS.withDetail("(bad BODY)"));
                        }
                    }
                }
                case "SMTPUTF8" -> {
                    if (value != null) {
                        return invalid("MAIL", SmtpReplies.BAD_ARGUMENTS);
                    }
                    smtpUtf8 = true;
                }
                case "AUTH" -> {
                    if (value == null) {
                        return invalid("MAIL", SmtpReplies.BAD_ARGUMENTS);
                    }
                }
                default -> {
                    return invalid("MAIL", SmtpReplies.UNSUPPORTED_PARAMETER);
                }
            }
        }
        return new Mail(sender, new MailParameters(size, body, smtpUtf8));
    }

    private static SmtpCommand rcpt(String args) {
        String rest = afterKeyword(args, "TO:");
        if (rest == null) {
            return invalid("RCPT", SmtpReplies.BAD_ARGUMENTS.withDetail("(expected RCPT TO:<address>)"));
        }
        int close = pathEnd(rest);
        if (close < 0) {
            return invalid("RCPT", BAD_ADDRESS);
        }
        SmtpAddress recipient;
        try {
            recipient = AddressSyntax.parsePathContent(rest.substring(1, close), true);
        } catch (AddressSyntax.BadAddress e) {
            return invalid("RCPT", BAD_ADDRESS);
        }
        String params = rest.substring(close + 1);
        if (!params.isBlank()) {
            return invalid("RCPT", params.startsWith(" ") ? SmtpReplies.UNSUPPORTED_PARAMETER : BAD_ADDRESS);
        }
        return new Rcpt(recipient);
    }

    /** The text after {@code keyword} (case-insensitive) and optional spaces, or null. */
    private static String afterKeyword(String args, String keyword) {
        if (args.length() < keyword.length()) {
            return null;
        }
        for (int i = 0; i < keyword.length(); i++) {
            char c = args.charAt(i);
            // ASCII-only case folding: no non-ASCII letter may stand in for a keyword letter.
            char upper = c >= 'a' && c <= 'z' ? (char) (c - 32) : c;
            if (upper != keyword.charAt(i)) {
                return null;
            }
        }
        String rest = args.substring(keyword.length()).stripLeading();
        return rest.startsWith("<") ? rest : null;
    }

    /** Index of the {@code >} closing the path at index 0, skipping quoted strings; -1 if none. */
    private static int pathEnd(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '>') {
                return i;
            } else if (c == '<') {
                return -1;
            }
        }
        return -1;
    }

    /** A size beyond {@code long} is simply too large; the session refuses it by size. */
    private static long parseSize(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiWord(String s) {
        if (s.isEmpty() || s.length() > 16) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isKeyword(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || (i > 0 && c == '-');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static SmtpCommand invalid(String verb, SmtpReply reply) {
        return new Invalid(verb, reply);
    }
}
