package chatmail.smtp;

import chatmail.delivery.Submission;
import chatmail.metrics.DeliveryPath;
import chatmail.policy.Reply;
import chatmail.metrics.DeliveryLatency;
import chatmail.smtp.protocol.DataReader;
import chatmail.smtp.protocol.SmtpReplies;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.spool.SpoolWriter;
import java.io.IOException;

/**
 * DATA (RFC 5321 4.1.1.4): the body goes from the connection into the pipeline's spool as it
 * arrives (SEC-1), then the pipeline decides; one reply for the whole message (SMTP-4). Bytes
 * beyond {@code max_message_size} are read to the end of the data and dropped.
 */
final class DataCommand {

    private static final SmtpReply START_DATA = SmtpReply.plain(354, "End data with <CR><LF>.<CR><LF>");
    private static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.1", "Need MAIL command");
    private static final SmtpReply NEED_RCPT = SmtpReply.of(503, "5.5.1", "Need RCPT command");

    private DataCommand() {}

    /** Handles DATA; false when the session ends. */
    static boolean run(SmtpSession s) throws IOException {
        MailTransaction t = s.transaction();
        if (!t.active()) {
            return s.reply(NEED_MAIL);
        }
        if (t.recipientCount() == 0) {
            return s.reply(NEED_RCPT);
        }
        s.writer().sendNow(START_DATA);
        s.transport().setReadTimeout(s.services().config().timeouts().smtpData());
        SpoolWriter body = s.pipeline().newBody();
        DataReader.Result result;
        try {
            // The spool keeps at most max_message_size bytes; the reader only unstuffs and finds the end.
            result = new DataReader(s.reader(), Long.MAX_VALUE).read(body);
        } catch (IOException | RuntimeException e) {
            body.close();
            throw e;
        }
        s.transport().setReadTimeout(s.services().config().timeouts().smtpCommand());
        switch (result.status()) {
            case BARE_LINE_ENDING -> {
                body.close();
                t.reset();
                s.writer().sendNow(SmtpReply.of(s.pipeline().smuggling()));
                return false;
            }
            case END_OF_INPUT -> {
                body.close();
                return false;
            }
            case TOO_LARGE, ACCEPTED -> { }
        }
        long endOfData = System.nanoTime();
        Reply outcome;
        try {
            // Local delivery times its commit and the recipients' EXISTS from here (OPS-3).
            outcome = ScopedValue.where(DeliveryLatency.END_OF_DATA, endOfData).call(() -> s.port().isSubmission()
                    ? s.services().submission().accept(new Submission(s.authenticated(), t.envelopeSender(),
                            t.localRecipients(), t.failedRecipients(), t.remoteRecipients(), body))
                    : s.services().inbound().accept(DeliveryPath.MX, t.localRecipients(), body));
        } finally {
            t.reset();
        }
        return s.reply(outcome);
    }
}
