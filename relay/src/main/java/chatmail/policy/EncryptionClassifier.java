package chatmail.policy;

import chatmail.mime.ContentType;
import chatmail.mime.HeaderSection;
import chatmail.mime.MimeWalker;
import chatmail.mime.ParseLimitException;
import chatmail.mime.ParseLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;

/**
 * Decides what a raw message is in ENC terms (SPEC ENC-1, ENC-2, SMTP-9) while the relay's one
 * MIME parser ({@link MimeWalker}) reads it: no part body is held in memory except the two tiny
 * ones that are compared as text (at most {@link #SMALL_BODY_LIMIT} bytes). Any MIME or armor
 * malformation, and a multipart without its close delimiter, yields {@link MessageKind#CLEARTEXT}.
 * Only I/O failures of the source itself escape as IOException.
 *
 * <p>The pipelines use {@link #observer()} within the walk that also enforces the SEC-4 caps, so
 * a message is parsed once; {@link #classify} walks on its own and calls a message beyond the
 * caps CLEARTEXT.
 */
public final class EncryptionClassifier {

    static final int SMALL_BODY_LIMIT = 1024;

    public MessageKind classify(byte[] message) {
        try {
            return classify(new ByteArrayInputStream(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public MessageKind classify(InputStream message) throws IOException {
        Observer observer = observer();
        try {
            MimeWalker.walk(message, ParseLimits.STANDARD, observer);
        } catch (ParseLimitException e) {
            return MessageKind.CLEARTEXT;
        }
        return observer.kind();
    }

    /** A walk visitor that classifies; {@link Observer#kind()} after the walk. */
    public Observer observer() {
        return new Observer();
    }

    /** Follows one walk of one message. */
    public static final class Observer implements MimeWalker.Visitor {

        private enum Mode { UNDECIDED, ENCRYPTED, SECURE_JOIN, DECIDED }

        private Mode mode = Mode.UNDECIDED;
        private MessageKind kind = MessageKind.CLEARTEXT;
        private String secureJoinStep;
        private int parts;
        private boolean partsValid = true;
        private boolean secureJoinMatches;

        /** The verdict once the walk is over. */
        public MessageKind kind() {
            return mode == Mode.DECIDED ? kind : MessageKind.CLEARTEXT;
        }

        @Override
        public void entityStart(int depth, HeaderSection header, ContentType type, long offset, long bodyOffset) {
            if (depth == 0) {
                top(header, effective(type));
                return;
            }
            if (depth == 1 && (mode == Mode.ENCRYPTED || mode == Mode.SECURE_JOIN)) {
                parts++;
                // A part that is itself a multipart or a carried message is never valid here.
                if (type.boundary() != null || type.is("message/rfc822")) {
                    partsValid = false;
                }
            }
        }

        private void top(HeaderSection header, ContentType type) {
            boolean multipart = type.boundary() != null;
            String mimeType = type.mimeType();
            if (multipart && mimeType.equals("multipart/encrypted")) {
                mode = Mode.ENCRYPTED;
                return;
            }
            String step = secureJoinRequest(header.values("Secure-Join"));
            if (multipart && step != null && mimeType.equals("multipart/mixed")) {
                mode = Mode.SECURE_JOIN;
                secureJoinStep = step;
                return;
            }
            mode = Mode.DECIDED;
            kind = mimeType.equals("multipart/report") && isMailerDaemonAutoSubmitted(header)
                    ? MessageKind.MAILER_DAEMON_REPORT : MessageKind.CLEARTEXT;
        }

        @Override
        public void leafBody(int depth, HeaderSection header, ContentType type, InputStream raw) throws IOException {
            if (depth != 1 || !partsValid) {
                return;
            }
            String mimeType = effective(type).mimeType();
            try {
                if (mode == Mode.ENCRYPTED) {
                    encryptedPart(header, mimeType, raw);
                } else if (mode == Mode.SECURE_JOIN) {
                    String text = parts == 1 && mimeType.equals("text/plain") ? smallText(decoded(header, raw)) : null;
                    secureJoinMatches = text != null && text.toLowerCase(Locale.ROOT).equals("secure-join: " + secureJoinStep);
                }
            } catch (MalformedPayloadException e) {
                partsValid = false;
            }
        }

        /** ENC-1: exactly application/pgp-encrypted "Version: 1", then application/octet-stream armor. */
        private void encryptedPart(HeaderSection header, String mimeType, InputStream raw) throws IOException {
            if (parts == 1) {
                partsValid = mimeType.equals("application/pgp-encrypted")
                        && "Version: 1".equals(smallText(decoded(header, raw)));
            } else if (parts == 2) {
                kind = mimeType.equals("application/octet-stream") ? classifyArmor(decoded(header, raw)) : MessageKind.CLEARTEXT;
                partsValid = kind != MessageKind.CLEARTEXT;
            } else {
                partsValid = false;
            }
        }

        @Override
        public void multipartEnd(int depth, int partCount, boolean closed) {
            if (depth != 0 || mode == Mode.DECIDED || mode == Mode.UNDECIDED) {
                return;
            }
            boolean valid = closed && partsValid;
            if (mode == Mode.ENCRYPTED) {
                kind = valid && parts == 2 ? kind : MessageKind.CLEARTEXT;
            } else {
                kind = valid && parts == 1 && secureJoinMatches ? MessageKind.SECURE_JOIN_REQUEST : MessageKind.CLEARTEXT;
            }
            mode = Mode.DECIDED;
        }
    }

    /** A multipart type without a boundary is no multipart: the RFC 2045 default applies. */
    private static ContentType effective(ContentType type) {
        return type.isMultipart() && type.boundary() == null ? ContentType.TEXT_PLAIN : type;
    }

    private static InputStream decoded(HeaderSection header, InputStream raw) {
        String encoding = header.first("Content-Transfer-Encoding");
        String e = encoding == null ? "" : encoding.strip().toLowerCase(Locale.ROOT);
        return switch (e) {
            case "base64" -> new Base64InputStream(raw, DecodeMonitor.SILENT);
            case "quoted-printable" -> new QuotedPrintableInputStream(raw, DecodeMonitor.SILENT);
            default -> raw;
        };
    }

    /**
     * Armor headers: none is the Delta Chat form. A single {@code Version:} header is reported so the
     * policy can accept it incoming only (SPEC ENC-1). Any other header ({@code Comment:} etc.) is
     * refused in both directions: it is free cleartext riding along an encrypted message, and the
     * reference filter refuses it too.
     */
    private static MessageKind classifyArmor(InputStream body) throws IOException {
        PgpArmorReader armor = PgpArmorReader.open(body);
        List<String> headers = armor.headerNames();
        MessageKind kind;
        if (headers.isEmpty()) {
            kind = MessageKind.ENCRYPTED;
        } else if (headers.size() == 1 && headers.getFirst().equalsIgnoreCase("Version")) {
            kind = MessageKind.ENCRYPTED_WITH_ARMOR_VERSION;
        } else {
            return MessageKind.CLEARTEXT;
        }
        return OpenPgpPacketScanner.isEncryptedMessage(armor) ? kind : MessageKind.CLEARTEXT;
    }

    /** The stripped body as UTF-8, or null when it is longer than {@link #SMALL_BODY_LIMIT}. */
    private static String smallText(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(SMALL_BODY_LIMIT + 1);
        if (bytes.length > SMALL_BODY_LIMIT) {
            return null;
        }
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    /** "vc-request" or "vg-request" when there is exactly one such Secure-Join header, else null. */
    private static String secureJoinRequest(List<String> values) {
        if (values.size() != 1) {
            return null;
        }
        String v = values.getFirst();
        return v.equals("vc-request") || v.equals("vg-request") ? v : null;
    }

    /** SMTP-9: a non-empty Auto-Submitted and a From whose local part is mailer-daemon. */
    private static boolean isMailerDaemonAutoSubmitted(HeaderSection header) {
        boolean autoSubmittedSet = header.values("Auto-Submitted").stream().anyMatch(v -> !v.isBlank());
        return autoSubmittedSet && FromAddress.single(header.values("From"))
                .map(a -> a.localPart().equalsIgnoreCase("mailer-daemon"))
                .orElse(false);
    }
}
