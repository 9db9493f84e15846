package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * One message to one MX address over SMTP (DLV-2): EHLO, STARTTLS (required), EHLO, then MAIL,
 * RCPT… and DATA, pipelined in one write when the server offers PIPELINING. 5xx replies are
 * final for the recipients they concern, 4xx defer them; anything that breaks the connection
 * before the final reply makes the host {@link SmtpHostOutcome.Unreachable unreachable}, so the
 * next MX gets the whole message.
 */
final class SmtpTransaction {

    private final OutboundSettings settings;
    private final String heloName;

    SmtpTransaction(OutboundSettings settings, String heloName) {
        this.settings = settings;
        this.heloName = heloName;
    }

    /**
     * @param tlsHost the name the certificate must carry (the MX host name)
     * @param sender the envelope sender; empty for the null sender
     */
    SmtpHostOutcome deliver(InetSocketAddress address, String tlsHost, SSLContext tls, SSLParameters tlsParameters,
            String sender, List<String> recipients, MessageBody message, AttemptDeadline deadline) {
        if (deadline.passed()) {
            return new SmtpHostOutcome.Unreachable(deadline.reason());
        }
        SmtpClient client;
        try {
            client = SmtpClient.connect(address, deadline.cap(settings.connectTimeout()), settings.smtpCommandTimeout());
        } catch (IOException e) {
            return new SmtpHostOutcome.Unreachable(deadline.passed() ? deadline.reason()
                    : "connect: " + e.getClass().getSimpleName());
        }
        // Per-read timeouts do not end a server that trickles bytes or stops reading; this does.
        Thread watchdog = Thread.ofVirtual().name("outbound-smtp-deadline").start(() -> {
            try {
                Thread.sleep(deadline.remaining());
                client.abort();
            } catch (InterruptedException finished) {
                // the transaction ended in time
            }
        });
        try (client) {
            SmtpResponse greeting = client.greeting();
            if (greeting.code() != 220) {
                return new SmtpHostOutcome.Unreachable("greeting " + greeting.line());
            }
            SmtpResponse ehlo = client.ehlo(heloName);
            if (ehlo.code() != 250) {
                return new SmtpHostOutcome.Unreachable("EHLO " + ehlo.line());
            }
            if (!client.supports("STARTTLS")) {
                return new SmtpHostOutcome.Unreachable("no STARTTLS offered");
            }
            SmtpResponse starttls = client.startTls(tls, tlsParameters, tlsHost);
            if (starttls.code() != 220) {
                return new SmtpHostOutcome.Unreachable("STARTTLS " + starttls.line());
            }
            ehlo = client.ehlo(heloName);
            if (ehlo.code() != 250) {
                return new SmtpHostOutcome.Unreachable("EHLO after STARTTLS " + ehlo.line());
            }
            SmtpHostOutcome outcome = transaction(client, sender, recipients, message);
            client.quit(settings.connectTimeout());
            return outcome;
        } catch (IOException e) {
            return new SmtpHostOutcome.Unreachable(deadline.passed() ? deadline.reason()
                    : e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            watchdog.interrupt();
        }
    }

    private SmtpHostOutcome transaction(SmtpClient client, String sender, List<String> recipients, MessageBody message)
            throws IOException {
        boolean needsUtf8 = !isAscii(sender) || recipients.stream().anyMatch(r -> !isAscii(r));
        Map<String, RecipientResult> results = new LinkedHashMap<>();
        if (needsUtf8 && !client.supports("SMTPUTF8")) {
            for (String r : recipients) {
                results.put(r, new RecipientResult.Failed("553 5.6.7 The destination does not accept internationalized addresses"));
            }
            return new SmtpHostOutcome.Answered(results);
        }
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(sender).append('>');
        if (client.supports("SIZE")) {
            mail.append(" SIZE=").append(message.size());
        }
        if (client.supports("8BITMIME")) {
            mail.append(" BODY=8BITMIME");
        }
        if (needsUtf8) {
            mail.append(" SMTPUTF8");
        }
        List<String> commands = new ArrayList<>();
        commands.add(mail.toString());
        for (String r : recipients) {
            commands.add("RCPT TO:<" + r + ">");
        }
        commands.add("DATA");

        List<SmtpResponse> replies;
        if (client.supports("PIPELINING")) {
            replies = client.pipeline(commands);
        } else {
            replies = new ArrayList<>();
            replies.add(client.command(commands.getFirst()));
            if (replies.getFirst().positive()) {
                for (int i = 1; i < commands.size() - 1; i++) {
                    replies.add(client.command(commands.get(i)));
                }
                if (!noneAccepted(replies)) {
                    replies.add(client.command("DATA"));
                }
            }
        }

        SmtpResponse mailReply = replies.getFirst();
        if (!mailReply.positive()) {
            for (String r : recipients) {
                results.put(r, refusal(mailReply));
            }
            resetAfterRefusedData(client, replies, commands.size());
            return new SmtpHostOutcome.Answered(results);
        }
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            SmtpResponse reply = i + 1 < replies.size() ? replies.get(i + 1) : null;
            if (reply != null && reply.positive()) {
                accepted.add(recipients.get(i));
            } else if (reply != null) {
                results.put(recipients.get(i), refusal(reply));
            }
        }
        SmtpResponse dataReply = replies.size() == commands.size() ? replies.getLast() : null;
        if (accepted.isEmpty()) {
            if (dataReply != null && dataReply.code() == 354) {
                // A server that says 354 with no recipient gets an empty message, per RFC 2920.
                client.sendMessage(new byte[0], settings.smtpDataTimeout());
            }
            return new SmtpHostOutcome.Answered(results);
        }
        if (dataReply == null || dataReply.code() != 354) {
            RecipientResult r = dataReply == null ? new RecipientResult.Deferred("DATA not answered") : refusal(dataReply);
            accepted.forEach(a -> results.put(a, r));
            return new SmtpHostOutcome.Answered(results);
        }
        SmtpResponse finalReply = client.sendMessage(message, settings.smtpDataTimeout());
        RecipientResult r = finalReply.positive() ? RecipientResult.DELIVERED : refusal(finalReply);
        accepted.forEach(a -> results.put(a, r));
        return new SmtpHostOutcome.Answered(results);
    }

    private static boolean noneAccepted(List<SmtpResponse> replies) {
        return replies.stream().skip(1).noneMatch(SmtpResponse::positive);
    }

    private void resetAfterRefusedData(SmtpClient client, List<SmtpResponse> replies, int commands) throws IOException {
        if (replies.size() == commands && replies.getLast().code() == 354) {
            client.sendMessage(new byte[0], settings.smtpDataTimeout());
        }
    }

    private static RecipientResult refusal(SmtpResponse reply) {
        return reply.permanent() ? new RecipientResult.Failed(reply.line()) : new RecipientResult.Deferred(reply.line());
    }

    private static boolean isAscii(String s) {
        return StandardCharsets.US_ASCII.newEncoder().canEncode(s);
    }
}
