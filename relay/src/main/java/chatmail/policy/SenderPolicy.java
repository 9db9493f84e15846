package chatmail.policy;

import chatmail.mime.HeaderSection;
import java.util.List;
import java.util.Locale;

/** SMTP-2: who may send as whom. */
public final class SenderPolicy {

    private SenderPolicy() {}

    /**
     * At MAIL FROM on submission: the envelope sender must be the authenticated login
     * (case-insensitive, as Postfix' sender-login lookup). The null sender {@code <>} is not owned.
     */
    public static Verdict checkEnvelopeSender(String authenticatedLogin, String envelopeSender) {
        if (authenticatedLogin == null || envelopeSender == null || envelopeSender.isEmpty()
                || !authenticatedLogin.toLowerCase(Locale.ROOT).equals(envelopeSender.toLowerCase(Locale.ROOT))) {
            return Verdict.reject(Replies.SENDER_NOT_OWNED);
        }
        return Verdict.accept();
    }

    /** After DATA: the From header must name exactly one mailbox, equal to the envelope sender. */
    public static Verdict checkFromHeader(String envelopeSender, byte[] message) {
        return checkFromHeader(envelopeSender, HeaderSection.parse(message).values("From"));
    }

    /** Same, with the (unfolded) values of every From field of the message. */
    public static Verdict checkFromHeader(String envelopeSender, List<String> fromHeaderValues) {
        return fromHeaderMatches(envelopeSender, fromHeaderValues)
                ? Verdict.accept()
                : Verdict.reject(Replies.FROM_MISMATCH);
    }

    /** For SMTP-9 incoming, where a mismatch is not refused but stored with an empty envelope sender. */
    public static boolean fromHeaderMatches(String envelopeSender, List<String> fromHeaderValues) {
        return FromAddress.single(fromHeaderValues).map(a -> a.matches(envelopeSender)).orElse(false);
    }
}
