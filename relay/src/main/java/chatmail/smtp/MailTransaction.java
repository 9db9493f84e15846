package chatmail.smtp;

import chatmail.delivery.FailedRecipient;
import chatmail.delivery.MessagePipeline;
import chatmail.delivery.RecipientCheck;
import chatmail.policy.Reply;
import chatmail.smtp.protocol.SmtpAddress;
import chatmail.smtp.protocol.SmtpCommand;
import chatmail.smtp.protocol.SmtpReplies;
import chatmail.smtp.protocol.SmtpReply;
import chatmail.store.Account;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One mail transaction's MAIL and RCPT (RFC 5321 3.3): the envelope, and the recipients as the
 * pipeline of the port sorted them. The chatmail rules are the pipeline's; this class keeps the
 * SMTP state and turns the pipeline's answers into replies.
 */
final class MailTransaction {

    private static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Nested MAIL command");
    private static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.1", "Need MAIL command");
    static final SmtpReply NEED_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "Address needs SMTPUTF8");

    private final SmtpSession session;
    private boolean active;
    private Optional<SmtpAddress> sender = Optional.empty();
    private boolean smtpUtf8;
    private final List<Account> localRecipients = new ArrayList<>();
    private final List<FailedRecipient> failedRecipients = new ArrayList<>();
    private final List<String> remoteRecipients = new ArrayList<>();
    private int recipientCount;

    MailTransaction(SmtpSession session) {
        this.session = session;
    }

    boolean active() {
        return active;
    }

    int recipientCount() {
        return recipientCount;
    }

    String envelopeSender() {
        return sender.map(SmtpAddress::address).orElse("");
    }

    List<Account> localRecipients() {
        return localRecipients;
    }

    List<FailedRecipient> failedRecipients() {
        return failedRecipients;
    }

    List<String> remoteRecipients() {
        return remoteRecipients;
    }

    void reset() {
        active = false;
        sender = Optional.empty();
        smtpUtf8 = false;
        localRecipients.clear();
        failedRecipients.clear();
        remoteRecipients.clear();
        recipientCount = 0;
    }

    boolean mail(SmtpCommand.Mail mail) throws IOException {
        SmtpPort port = session.port();
        if (!session.greeted()) {
            return session.reply(SmtpSession.SEND_HELO_FIRST);
        }
        if (!session.transport().isTls()) {
            return session.reply(SmtpReplies.STARTTLS_REQUIRED);
        }
        if (port.isSubmission() && session.authenticated() == null) {
            return session.reply(SmtpReplies.AUTH_REQUIRED);
        }
        if (active) {
            return session.reply(NESTED_MAIL);
        }
        if (mail.sender().isPresent() && !mail.sender().get().isAscii() && !mail.parameters().smtpUtf8()) {
            return session.reply(NEED_SMTPUTF8);
        }
        Reply refusal = port.isSubmission()
                ? session.services().submission().mailFrom(session.authenticated(),
                        mail.sender().map(SmtpAddress::address).orElse(""), mail.parameters().size())
                : session.services().inbound().checkDeclaredSize(mail.parameters().size());
        if (refusal != null) {
            return session.reply(refusal);
        }
        if (!port.isSubmission()) {
            // SEC-3: port 25's "login" is its first MAIL; from now on no deadline and no eviction.
            session.transport().admission().established();
        }
        active = true;
        sender = mail.sender();
        smtpUtf8 = mail.parameters().smtpUtf8();
        return session.reply(SmtpReplies.OK);
    }

    boolean rcpt(SmtpCommand.Rcpt rcpt) throws IOException {
        if (!active) {
            return session.reply(NEED_MAIL);
        }
        MessagePipeline pipeline = session.pipeline();
        if (recipientCount >= MessagePipeline.MAX_RECIPIENTS) {
            return session.reply(pipeline.tooManyRecipients());
        }
        SmtpAddress to = rcpt.recipient();
        if (!to.isAscii() && !smtpUtf8) {
            return session.reply(NEED_SMTPUTF8);
        }
        RecipientCheck check = session.port().isSubmission()
                ? session.services().submission().recipient(to.address())
                : session.services().inbound().recipient(to.address());
        switch (check) {
            case RecipientCheck.Local l -> localRecipients.add(l.account());
            case RecipientCheck.Remote r -> remoteRecipients.add(r.address());
            case RecipientCheck.Bounced b -> failedRecipients.add(b.failure());
            case RecipientCheck.Refused r -> {
                return session.reply(r.reply());
            }
        }
        recipientCount++;
        return session.reply(SmtpReplies.OK);
    }
}
