package chatmail.policy;

import chatmail.metrics.Refusal;
import java.util.List;
import java.util.Optional;

/**
 * Which OPS-3 refusal reason a reply of the REPLY table stands for, so the places that send
 * them today can count them. Matched by code, enhanced code and the contractual words.
 */
public final class RefusalReasons {

    private record Rule(Reply reply, Refusal reason) {}

    private static final List<Rule> RULES = List.of(
            new Rule(Replies.ENCRYPTION_NEEDED, Refusal.NOT_ENCRYPTED),
            new Rule(Replies.NO_DKIM_SIGNATURE, Refusal.NO_DKIM),
            new Rule(Replies.NO_VALID_DKIM_SIGNATURE, Refusal.DKIM_INVALID),
            new Rule(Replies.SENDER_NOT_OWNED, Refusal.SENDER_MISMATCH),
            new Rule(Replies.FROM_MISMATCH, Refusal.SENDER_MISMATCH),
            new Rule(Replies.tooMuchMailFrom(""), Refusal.RATE_LIMIT),
            new Rule(Replies.TOO_LARGE, Refusal.TOO_LARGE),
            new Rule(Replies.TOO_MANY_RECIPIENTS, Refusal.TOO_MANY_RECIPIENTS),
            new Rule(Replies.MAILBOX_FULL, Refusal.QUOTA),
            new Rule(Replies.NO_SUCH_USER, Refusal.UNKNOWN_USER),
            new Rule(Replies.RELAY_DENIED, Refusal.RELAY_DENIED),
            new Rule(Replies.BARE_LINE_ENDING, Refusal.SMUGGLING),
            new Rule(Replies.DNS_TEMPORARY_FAILURE, Refusal.TEMP_DNS),
            new Rule(Replies.LOCAL_FAILURE, Refusal.TEMP_LOCAL));

    private RefusalReasons() {}

    /** The reason for a reply with this code, enhanced code and text; empty for any other reply. */
    public static Optional<Refusal> of(int code, String enhancedCode, String text) {
        for (Rule rule : RULES) {
            Reply r = rule.reply();
            String words = r.text().endsWith("<>") ? r.text().substring(0, r.text().length() - 3) : r.text();
            if (r.code() == code && r.enhancedCode().equals(enhancedCode) && text != null && text.startsWith(words)) {
                return Optional.of(rule.reason());
            }
        }
        return Optional.empty();
    }

    /** The reason for a reply line such as {@code 550 5.1.1 No such user <a@b>}. */
    public static Optional<Refusal> ofLine(String line) {
        String[] parts = line.strip().split(" ", 3);
        if (parts.length < 3 || !parts[0].matches("\\d{3}")) {
            return Optional.empty();
        }
        return of(Integer.parseInt(parts[0]), parts[1], parts[2]);
    }
}
