package chatmail.delivery;

import chatmail.mime.HeaderSection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Writes RFC 3464 delivery status notifications (SPEC SMTP-11): {@code multipart/report;
 * report-type=delivery-status} from {@code MAILER-DAEMON@<domain>} with
 * {@code Auto-Submitted: auto-replied}, ending with the original message's headers, from which
 * Delta Chat finds the Message-ID of the message to mark as failed.
 */
public final class BounceBuilder {

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private final String domain;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** @param domain the relay's address domain (as after {@code @}) */
    public BounceBuilder(String domain, Clock clock) {
        this.domain = domain;
        this.clock = clock;
    }

    public String mailerDaemon() {
        return "MAILER-DAEMON@" + domain;
    }

    /**
     * @param originalMessage the raw message that failed; only its header section is included
     * @param sender the envelope sender that receives the bounce
     */
    public byte[] build(byte[] originalMessage, String sender, List<FailedRecipient> failed) {
        return build(HeaderSection.parse(originalMessage), sender, failed);
    }

    /**
     * @param original the header section of the message that failed (parsed once by the pipeline)
     * @param sender the envelope sender that receives the bounce
     */
    public byte[] build(HeaderSection original, String sender, List<FailedRecipient> failed) {
        String id = HexFormat.of().formatHex(randomBytes());
        String boundary = "bounce-" + id;
        String date = DATE.format(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        String reportingMta = domain.startsWith("[") ? "x-ip; " + domain.substring(1, domain.length() - 1) : "dns; " + domain;

        StringBuilder m = new StringBuilder(2048);
        m.append("From: Mail Delivery System <").append(mailerDaemon()).append(">\r\n");
        m.append("To: ").append(sender).append("\r\n");
        m.append("Subject: Undelivered Mail Returned to Sender\r\n");
        m.append("Date: ").append(date).append("\r\n");
        m.append("Message-ID: <").append(id).append('@').append(bare(domain)).append(">\r\n");
        m.append("Auto-Submitted: auto-replied\r\n");
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: multipart/report; report-type=delivery-status;\r\n");
        m.append("\tboundary=\"").append(boundary).append("\"\r\n");
        m.append("\r\n");
        m.append("This is a MIME-encapsulated message.\r\n\r\n");

        m.append("--").append(boundary).append("\r\n");
        m.append("Content-Description: Notification\r\n");
        m.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        m.append("This is the mail system at ").append(domain).append(".\r\n\r\n");
        m.append("Your message could not be delivered to one or more recipients.\r\n\r\n");
        for (FailedRecipient f : failed) {
            m.append("<").append(f.address()).append(">: ").append(f.smtpReply()).append("\r\n");
        }
        m.append("\r\n");

        m.append("--").append(boundary).append("\r\n");
        m.append("Content-Description: Delivery report\r\n");
        m.append("Content-Type: message/delivery-status\r\n\r\n");
        m.append("Reporting-MTA: ").append(reportingMta).append("\r\n");
        m.append("Arrival-Date: ").append(date).append("\r\n");
        for (FailedRecipient f : failed) {
            m.append("\r\n");
            m.append("Final-Recipient: rfc822; ").append(f.address()).append("\r\n");
            m.append("Original-Recipient: rfc822; ").append(f.address()).append("\r\n");
            m.append("Action: failed\r\n");
            m.append("Status: ").append(f.status()).append("\r\n");
            m.append("Diagnostic-Code: smtp; ").append(f.smtpReply()).append("\r\n");
        }
        m.append("\r\n");

        m.append("--").append(boundary).append("\r\n");
        m.append("Content-Description: Undelivered Message Headers\r\n");
        m.append("Content-Type: text/rfc822-headers\r\n\r\n");
        byte[] head = m.toString().getBytes(StandardCharsets.UTF_8);
        byte[] originalHeaders = Arrays.copyOfRange(original.data(), original.start(), original.end());
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);

        byte[] out = new byte[head.length + originalHeaders.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(originalHeaders, 0, out, head.length, originalHeaders.length);
        System.arraycopy(tail, 0, out, head.length + originalHeaders.length, tail.length);
        return out;
    }

    private byte[] randomBytes() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return b;
    }

    private static String bare(String domain) {
        return domain.startsWith("[") ? domain.substring(1, domain.length() - 1) : domain;
    }
}
