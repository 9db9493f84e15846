package chatmail.smtp.protocol;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A parsed SMTP command line (see {@link SmtpCommandParser}). Valid commands are
 * {@link Request}s and can be written back with {@link Request#toLine()}; a line that is not a
 * valid command is a {@link Rejected} carrying the reply the session should send.
 */
public sealed interface SmtpCommand {

    /** A well-formed command. */
    sealed interface Request extends SmtpCommand
            permits Ehlo, Helo, Mail, Rcpt, Data, Rset, Noop, Quit, Vrfy, StartTls, Auth, Help {
        /** The command as a line without CRLF; parsing it gives an equal command. */
        String toLine();
    }

    /** A line that is not a valid command, and the reply it deserves. */
    sealed interface Rejected extends SmtpCommand permits Unknown, Invalid {
        SmtpReply reply();
    }

    /** {@code EHLO} with the client's name as given (a domain or an address literal). */
    record Ehlo(String domain) implements Request {
        public String toLine() {
            return "EHLO " + domain;
        }
    }

    record Helo(String domain) implements Request {
        public String toLine() {
            return "HELO " + domain;
        }
    }

    /** {@code MAIL FROM}; an empty sender is the null reverse path {@code <>} of bounces. */
    record Mail(Optional<SmtpAddress> sender, MailParameters parameters) implements Request {
        public Mail {
            Objects.requireNonNull(sender);
            Objects.requireNonNull(parameters);
        }

        public boolean isNullSender() {
            return sender.isEmpty();
        }

        public String toLine() {
            return "MAIL FROM:" + sender.map(SmtpAddress::path).orElse("<>") + parameters.toWire();
        }
    }

    /** {@code RCPT TO}. No RCPT parameters are supported (DSN is not advertised). */
    record Rcpt(SmtpAddress recipient) implements Request {
        public Rcpt {
            Objects.requireNonNull(recipient);
        }

        public String toLine() {
            return "RCPT TO:" + recipient.path();
        }
    }

    record Data() implements Request {
        public String toLine() {
            return "DATA";
        }
    }

    record Rset() implements Request {
        public String toLine() {
            return "RSET";
        }
    }

    /** {@code NOOP}, with its ignored argument ({@code ""} when none). */
    record Noop(String argument) implements Request {
        public String toLine() {
            return argument.isEmpty() ? "NOOP" : "NOOP " + argument;
        }
    }

    record Quit() implements Request {
        public String toLine() {
            return "QUIT";
        }
    }

    /** {@code VRFY}; the answer never depends on the argument (SMTP-7). */
    record Vrfy(String argument) implements Request {
        public String toLine() {
            return "VRFY " + argument;
        }
    }

    record StartTls() implements Request {
        public String toLine() {
            return "STARTTLS";
        }
    }

    /**
     * {@code AUTH mechanism [initial-response]}; the mechanism upper-cased, the initial response
     * as sent (base64, or {@code =} for an empty one). Decode with {@link SaslDecoder}.
     */
    record Auth(String mechanism, Optional<String> initialResponse) implements Request {
        public Auth {
            mechanism = mechanism.toUpperCase(Locale.ROOT);
            Objects.requireNonNull(initialResponse);
        }

        public String toLine() {
            return "AUTH " + mechanism + initialResponse.map(r -> " " + r).orElse("");
        }
    }

    /** {@code HELP}, with its topic ({@code ""} when none). */
    record Help(String topic) implements Request {
        public String toLine() {
            return topic.isEmpty() ? "HELP" : "HELP " + topic;
        }
    }

    /** An unrecognised ({@code 500}) or unimplemented ({@code 502}) verb, or an unreadable line. */
    record Unknown(String verb, SmtpReply reply) implements Rejected {
    }

    /** A known verb with bad arguments ({@code 501}) or an unsupported parameter ({@code 555}). */
    record Invalid(String verb, SmtpReply reply) implements Rejected {
    }

    /** The body type a client declared with {@code BODY=}. */
    enum Body {
        UNSPECIFIED, SEVEN_BIT, EIGHT_BIT_MIME
    }

    /**
     * The MAIL parameters this server advertises: SIZE, BODY (8BITMIME) and SMTPUTF8. An
     * {@code AUTH=} parameter is accepted and ignored (RFC 4954 allows ignoring it).
     */
    record MailParameters(OptionalLong size, Body body, boolean smtpUtf8) {
        public static final MailParameters NONE = new MailParameters(OptionalLong.empty(), Body.UNSPECIFIED, false);

        public MailParameters {
            Objects.requireNonNull(size);
            Objects.requireNonNull(body);
            if (size.isPresent() && size.getAsLong() < 0) {
                throw new IllegalArgumentException("negative SIZE");
            }
        }

        String toWire() {
            StringBuilder sb = new StringBuilder();
            size.ifPresent(s -> sb.append(" SIZE=").append(s));
            switch (body) {
                case SEVEN_BIT -> sb.append(" BODY=7BIT");
                case EIGHT_BIT_MIME -> sb.append(" BODY=8BITMIME");
                case UNSPECIFIED -> { }
            }
            if (smtpUtf8) {
                sb.append(" SMTPUTF8");
            }
            return sb.toString();
        }
    }
}
