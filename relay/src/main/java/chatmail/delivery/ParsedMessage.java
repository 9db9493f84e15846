package chatmail.delivery;

import chatmail.mime.HeaderSection;
import chatmail.mime.MimeWalker;
import chatmail.mime.ParseLimitException;
import chatmail.mime.ParseLimits;
import chatmail.policy.EncryptionClassifier;
import chatmail.policy.MessageKind;
import chatmail.policy.Replies;
import chatmail.policy.Reply;
import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;

/**
 * What a pipeline learns from reading an arrived message once (SEC-4 caps on the way): its
 * header section, which the checks, DKIM and header cleanup use, and its ENC kind.
 */
record ParsedMessage(HeaderSection header, MessageKind kind) {

    /** Walks the spooled message once. */
    static ParsedMessage parse(MessageBody body, EncryptionClassifier classifier)
            throws IOException, ParseLimitException {
        EncryptionClassifier.Observer observer = classifier.observer();
        HeaderSection header;
        try (InputStream in = body.openStream()) {
            header = MimeWalker.walk(in, ParseLimits.STANDARD, observer);
        }
        return new ParsedMessage(header, observer.kind());
    }

    /** The refusal of a message that breaks a parse cap (docs/decisions.md, "Caps and their replies"). */
    static Reply refusal(ParseLimitException e) {
        ParseLimits limits = ParseLimits.STANDARD;
        return switch (e.limit()) {
            case HEADER_FIELDS -> Replies.HEADER_TOO_LARGE.withDetail("(more than " + limits.maxHeaderFields() + " fields)");
            case HEADER_BYTES -> Replies.HEADER_TOO_LARGE.withDetail("(more than " + limits.maxHeaderBytes() + " bytes)");
            case MIME_DEPTH -> Replies.MIME_TOO_DEEP.withDetail("(more than " + limits.maxDepth() + " levels)");
        };
    }
}
