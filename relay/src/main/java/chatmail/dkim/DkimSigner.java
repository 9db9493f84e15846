package chatmail.dkim;

import chatmail.config.Config;
import chatmail.mime.HeaderSection;
import chatmail.store.MessageBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.apache.james.jdkim.DKIMSigner;
import org.apache.james.jdkim.api.BodyHasher;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;

/**
 * Signs outgoing mail (SMTP-6): rsa-sha256, {@code c=relaxed/simple}, {@code d=<mail_domain>},
 * {@code s=<dkim_selector>}, header list per {@link SignedHeaders}. On an IP-only relay there is
 * no domain to sign for and no DNS to publish a key in: {@link #sign} then returns the message
 * unchanged.
 *
 * <p>The input must use CRLF line endings (as received over SMTP). The body is streamed (from
 * the spool), never held; only the new header field is returned. Thread-safe.
 */
public final class DkimSigner {

    private final String domain;
    private final Supplier<DkimKey> keySource;
    private volatile DkimKey key;

    private DkimSigner(String domain, Supplier<DkimKey> keySource) {
        this.domain = domain;
        this.keySource = keySource;
    }

    /**
     * A signer for the relay with the key in {@code data_dir}, read (or generated) on the first
     * signature so that starting a relay costs no RSA key generation; none when IP-only.
     */
    public static DkimSigner forRelay(Config config) {
        if (config.ipOnly()) {
            return new DkimSigner(null, null);
        }
        return new DkimSigner(config.mailDomain(), () -> DkimKeyFiles.loadOrGenerate(config.dataDir(), config.dkimSelector()));
    }

    public static DkimSigner of(String domain, DkimKey key) {
        return new DkimSigner(domain, () -> key);
    }

    /** False on IP-only relays. */
    public boolean signs() {
        return keySource != null;
    }

    private DkimKey key() {
        DkimKey k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    key = keySource.get();
                }
                k = key;
            }
        }
        return k;
    }

    /**
     * Signs a small message and verifies the signature with the key's public half, in memory:
     * the key is read and the signing and verifying code is loaded before the first message
     * needs it (the first signature after a start took some 60 ms). Throws nothing.
     *
     * @return the signed message, for a check as an incoming one; null when nothing was signed
     */
    public byte[] warmUp() {
        if (keySource == null) {
            return null;
        }
        byte[] signed = null;
        try {
            signed = sign(("From: <warm-up@" + domain + ">\r\nTo: <warm-up@" + domain
                    + ">\r\nSubject: warm-up\r\n\r\nwarm-up\r\n").getBytes(StandardCharsets.US_ASCII));
            HeaderSection header = HeaderSection.parse(signed);
            String txt = key().txtValue();
            try (InputStream body = DkimVerifier.bodyOf(header, MessageBody.of(signed))) {
                new org.apache.james.jdkim.DKIMVerifier((method, selector, d) -> List.of(txt))
                        .verify(DkimVerifier.headers(header, header.rawFields("DKIM-Signature")), body);
            }
        } catch (IOException | FailException | RuntimeException e) {
            // only the warm-up failed; the first message does the work instead
        }
        return signed;
    }

    /** The message with a {@code DKIM-Signature} field on top. */
    public byte[] sign(byte[] message) {
        if (keySource == null) {
            return message;
        }
        byte[] header;
        try {
            header = signatureField(HeaderSection.parse(message), MessageBody.of(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] signed = new byte[header.length + message.length];
        System.arraycopy(header, 0, signed, 0, header.length);
        System.arraycopy(message, 0, signed, header.length, message.length);
        return signed;
    }

    /**
     * The {@code DKIM-Signature} field (folded, with its CRLF) that signs the message when put on
     * top of it; empty on IP-only relays.
     *
     * @param header the message's header section
     * @param message the whole message; its body is read from {@code header.length()} on
     * @throws IOException when the message cannot be read (a local problem)
     */
    public byte[] signatureField(HeaderSection header, MessageBody message) throws IOException {
        if (keySource == null) {
            return new byte[0];
        }
        return signatureField(header, message.openStream());
    }

    /**
     * As {@link #signatureField(HeaderSection, MessageBody)}, reading the message from a stream
     * opened before (a spool file that the store may rename meanwhile stays readable through it);
     * closes the stream.
     *
     * @param message the whole message from its first byte
     */
    public byte[] signatureField(HeaderSection header, InputStream message) throws IOException {
        try (message) {
            if (keySource == null) {
                return new byte[0];
            }
            DkimKey key = key();
            String template = "v=1; a=rsa-sha256; c=relaxed/simple; d=" + domain + "; s=" + key.selector()
                    + "; h=" + SignedHeaders.forMessage(header) + "; bh=; b=;";
            String field;
            try {
                DKIMSigner signer = new DKIMSigner(template, key.privateKey());
                SignatureRecord record = signer.newSignatureRecordTemplate(template);
                BodyHasher hasher = signer.newBodyHasher(record);
                try (InputStream body = DkimVerifier.bodyOf(header, message); OutputStream out = hasher.getOutputStream()) {
                    body.transferTo(out);
                }
                field = signer.sign(DkimVerifier.headers(header, header.rawFields("DKIM-Signature")), hasher);
            } catch (FailException e) {
                // Our own key and a message we accepted: a failure here is a bug, not bad input.
                throw new IllegalStateException("DKIM signing failed: " + e.getMessage(), e);
            }
            return (fold(field) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * jdkim writes the field on one line ({@code DKIM-Signature: v=1; a=…; b=…;}). Lines of mail
     * should stay under 78 characters, so break it where relaxed canonicalization gives back the
     * exact text that was signed: after each tag's {@code ;} (the space there becomes the folding
     * white space) and inside the {@code b=} value, which verifiers remove before hashing.
     */
    static String fold(String field) {
        int colon = field.indexOf(':');
        String name = field.substring(0, colon);
        String value = field.substring(colon + 1).strip();
        StringBuilder out = new StringBuilder(name).append(":");
        for (String tag : value.split("; ")) {
            String t = tag.endsWith(";") ? tag.substring(0, tag.length() - 1) : tag;
            out.append(out.length() == name.length() + 1 ? " " : ";\r\n\t");
            if (t.startsWith("b=")) {
                String b = t.substring(2);
                out.append("b=");
                for (int i = 0; i < b.length(); i += 64) {
                    if (i > 0) {
                        out.append("\r\n\t ");
                    }
                    out.append(b, i, Math.min(b.length(), i + 64));
                }
            } else {
                out.append(t);
            }
        }
        return out.append(';').toString();
    }
}
