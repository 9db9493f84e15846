package chatmail.policy;

import java.util.Objects;
import java.util.Optional;

/** Outcome of a policy check: accept, or reject with the reply the SMTP engine sends. */
public sealed interface Verdict permits Verdict.Accept, Verdict.Reject {

    Verdict ACCEPT = new Accept();

    static Verdict accept() {
        return ACCEPT;
    }

    static Verdict reject(Reply reply) {
        return new Reject(reply);
    }

    default boolean accepted() {
        return this instanceof Accept;
    }

    /** The reply to send when rejected; empty when accepted. */
    default Optional<Reply> rejection() {
        return this instanceof Reject(Reply reply) ? Optional.of(reply) : Optional.empty();
    }

    record Accept() implements Verdict {}

    record Reject(Reply reply) implements Verdict {
        public Reject {
            Objects.requireNonNull(reply, "reply");
        }
    }
}
