package chatmail.policy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * Decides what a raw message is in ENC terms (SPEC ENC-1, ENC-2, SMTP-9) in one streaming pass with
 * mime4j's pull parser: no part body is held in memory except the two tiny ones that are compared
 * as text (at most {@link #SMALL_BODY_LIMIT} bytes). Any MIME or armor malformation yields
 * {@link MessageKind#CLEARTEXT}. Only I/O failures of the source itself escape as IOException.
 */
public final class EncryptionClassifier {

    static final int SMALL_BODY_LIMIT = 1024;

    private static final MimeConfig MIME_CONFIG = MimeConfig.custom()
            .setMaxLineLen(-1) // 8bit/binary parts may have long lines; size is bounded by max_message_size
            .setMaxHeaderCount(10_000)
            .setMaxHeaderLen(256 * 1024)
            .build();

    public MessageKind classify(byte[] message) {
        try {
            return classify(new ByteArrayInputStream(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public MessageKind classify(InputStream message) throws IOException {
        MimeTokenStream stream = new MimeTokenStream(MIME_CONFIG);
        stream.setRecursionMode(RecursionMode.M_NO_RECURSE);
        // mime4j's boundary recognition depends on how many bytes each read returns (a short
        // read right after a boundary-like line changed a verdict; found by
        // EncryptionClassifierFuzzTest), so it only ever sees reads filled to the end of input.
        stream.parse(new FullReads(message));
        try {
            return classify(stream);
        } catch (MimeException | MalformedPayloadException e) {
            return MessageKind.CLEARTEXT;
        } finally {
            stream.stop();
        }
    }

    private MessageKind classify(MimeTokenStream stream) throws IOException, MimeException {
        TopHeaders top = new TopHeaders();
        EntityState state = stream.getState();
        while (state != EntityState.T_END_HEADER) {
            if (state == EntityState.T_END_OF_STREAM) {
                return MessageKind.CLEARTEXT;
            }
            if (state == EntityState.T_FIELD) {
                top.add(stream.getField());
            }
            state = stream.next();
        }
        EntityState bodyState = stream.next();
        String mimeType = stream.getBodyDescriptor().getMimeType();
        boolean multipart = bodyState == EntityState.T_START_MULTIPART;

        if (multipart && mimeType.equals("multipart/encrypted")) {
            return classifyEncrypted(stream);
        }
        String secureJoin = top.secureJoinRequest();
        if (multipart && secureJoin != null && mimeType.equals("multipart/mixed")) {
            return isSecureJoinBody(stream, secureJoin) ? MessageKind.SECURE_JOIN_REQUEST : MessageKind.CLEARTEXT;
        }
        if (mimeType.equals("multipart/report") && top.isMailerDaemonAutoSubmitted()) {
            return MessageKind.MAILER_DAEMON_REPORT;
        }
        return MessageKind.CLEARTEXT;
    }

    /** ENC-1: exactly application/pgp-encrypted "Version: 1", then application/octet-stream armor. */
    private MessageKind classifyEncrypted(MimeTokenStream stream) throws IOException, MimeException {
        int part = 0;
        MessageKind kind = null;
        for (EntityState s = stream.next(); s != EntityState.T_END_MULTIPART; s = stream.next()) {
            switch (s) {
                case T_END_OF_STREAM -> {
                    return MessageKind.CLEARTEXT;
                }
                case T_START_MULTIPART -> {
                    return MessageKind.CLEARTEXT; // a nested multipart is never a valid part here
                }
                case T_BODY -> {
                    part++;
                    BodyDescriptor bd = stream.getBodyDescriptor();
                    if (part == 1) {
                        if (!bd.getMimeType().equals("application/pgp-encrypted")
                                || !"Version: 1".equals(smallText(stream.getDecodedInputStream()))) {
                            return MessageKind.CLEARTEXT;
                        }
                    } else if (part == 2) {
                        if (!bd.getMimeType().equals("application/octet-stream")) {
                            return MessageKind.CLEARTEXT;
                        }
                        kind = classifyArmor(stream.getDecodedInputStream());
                        if (kind == MessageKind.CLEARTEXT) {
                            return kind;
                        }
                    } else {
                        return MessageKind.CLEARTEXT;
                    }
                }
                default -> { }
            }
        }
        return part == 2 ? kind : MessageKind.CLEARTEXT;
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

    /** ENC-2: exactly one text/plain part whose trimmed, lower-cased body is "secure-join: <step>". */
    private static boolean isSecureJoinBody(MimeTokenStream stream, String step) throws IOException, MimeException {
        int parts = 0;
        boolean matches = false;
        for (EntityState s = stream.next(); s != EntityState.T_END_MULTIPART; s = stream.next()) {
            switch (s) {
                case T_END_OF_STREAM, T_START_MULTIPART -> {
                    return false;
                }
                case T_BODY -> {
                    parts++;
                    if (parts > 1) {
                        return false;
                    }
                    String text = stream.getBodyDescriptor().getMimeType().equals("text/plain")
                            ? smallText(stream.getDecodedInputStream()) : null;
                    matches = text != null && text.toLowerCase(Locale.ROOT).equals("secure-join: " + step);
                }
                default -> { }
            }
        }
        return parts == 1 && matches;
    }

    /** The stripped body as UTF-8, or null when it is longer than {@link #SMALL_BODY_LIMIT}. */
    private static String smallText(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(SMALL_BODY_LIMIT + 1);
        if (bytes.length > SMALL_BODY_LIMIT) {
            return null;
        }
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    /** The top-level header fields the ENC-2 and SMTP-9 exceptions look at. */
    private static final class TopHeaders {
        private final List<String> secureJoin = new ArrayList<>();
        private final List<String> autoSubmitted = new ArrayList<>();
        private final List<String> from = new ArrayList<>();

        void add(Field field) {
            String name = field.getNameLowerCase();
            List<String> target = switch (name) {
                case "secure-join" -> secureJoin;
                case "auto-submitted" -> autoSubmitted;
                case "from" -> from;
                default -> null;
            };
            if (target != null) {
                target.add(MimeUtil.unfold(field.getBody()).strip());
            }
        }

        /** "vc-request" or "vg-request" when there is exactly one such Secure-Join header, else null. */
        String secureJoinRequest() {
            if (secureJoin.size() != 1) {
                return null;
            }
            String v = secureJoin.getFirst();
            return v.equals("vc-request") || v.equals("vg-request") ? v : null;
        }

        boolean isMailerDaemonAutoSubmitted() {
            boolean autoSubmittedSet = autoSubmitted.stream().anyMatch(v -> !v.isBlank());
            return autoSubmittedSet && FromAddress.single(from)
                    .map(a -> a.localPart().equalsIgnoreCase("mailer-daemon"))
                    .orElse(false);
        }
    }

    /** Fills every read completely unless the input ends, so the parse never sees a short read. */
    private static final class FullReads extends java.io.FilterInputStream {
        FullReads(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.readNBytes(b, off, len);
            return n == 0 && len > 0 ? -1 : n;
        }
    }
}
