package chatmail.policy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** SMTP-5 / SMTP-9: which messages may pass in which direction (the ENC-3 table). */
public final class EncryptionPolicy {

    private final EncryptionClassifier classifier;

    public EncryptionPolicy() {
        this(new EncryptionClassifier());
    }

    public EncryptionPolicy(EncryptionClassifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    public Verdict check(byte[] message, Direction direction) {
        return verdict(classifier.classify(message), direction);
    }

    /** Streams the message; an IOException means the source failed (a local problem, not a 523). */
    public Verdict check(InputStream message, Direction direction) throws IOException {
        return verdict(classifier.classify(message), direction);
    }

    public static Verdict verdict(MessageKind kind, Direction direction) {
        boolean incoming = direction == Direction.INCOMING;
        boolean pass = switch (kind) {
            case ENCRYPTED, SECURE_JOIN_REQUEST -> true;
            case ENCRYPTED_WITH_ARMOR_VERSION, MAILER_DAEMON_REPORT -> incoming;
            case CLEARTEXT -> false;
        };
        return pass ? Verdict.accept() : Verdict.reject(Replies.ENCRYPTION_NEEDED);
    }
}
