package chatmail.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PacketFormat;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPairGeneratorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

/**
 * Messages shaped like Delta Chat's: a multipart/encrypted OpenPGP/MIME message whose payload is
 * a real PKESK v3 + SEIPD v1 encryption (to a freshly generated Curve25519 key, as classic Delta
 * Chat keys are), with an Autocrypt header carrying a real public key. One encryption per size
 * is reused for every message; only the per-message header lines (From, To, Date, Message-ID)
 * differ, which is all a relay looks at besides the packet structure.
 */
public final class PgpMimeMessages {
    private static final String BOUNDARY = "bench-4c1b0e7d9a";
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final SecureRandom random = new SecureRandom();
    private final PGPKeyPair encryptionKey;
    private final String autocryptKeydata;

    public PgpMimeMessages() {
        try {
            Date created = new Date();
            BcPGPKeyPairGeneratorProvider provider = new BcPGPKeyPairGeneratorProvider().setSecureRandom(random);
            PGPKeyPair primary = provider.get(PublicKeyPacket.VERSION_4, created).generateLegacyEd25519KeyPair();
            encryptionKey = provider.get(PublicKeyPacket.VERSION_4, created).generateLegacyX25519KeyPair();
            PGPKeyRingGenerator ring = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary,
                    "<bench@localhost>", new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), null, null,
                    new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA256), null);
            ring.addSubKey(encryptionKey);
            autocryptKeydata = Base64.getEncoder().encodeToString(ring.generatePublicKeyRing().getEncoded());
        } catch (PGPException | IOException e) {
            throw new IllegalStateException("cannot generate an OpenPGP key", e);
        }
    }

    /**
     * A template whose whole message (header lines included, for typical 21-character
     * addresses) is close to {@code targetSize} bytes.
     */
    public Template template(int targetSize) {
        int payload = Math.max(16, targetSize * 3 / 4 - 1200);
        Template t = build(payload);
        for (int i = 0; i < 3; i++) {
            int size = t.sizeFor("b00000001@bench.localhost", "b00000002@bench.localhost");
            int diff = targetSize - size;
            if (Math.abs(diff) < 64) {
                break;
            }
            payload = Math.max(16, payload + diff * 3 / 4 * 64 / 66);
            t = build(payload);
        }
        return t;
    }

    private Template build(int payloadBytes) {
        byte[] plaintext = new byte[payloadBytes];
        random.nextBytes(plaintext);
        String armored = armor(encrypt(plaintext));
        StringBuilder tail = new StringBuilder(armored.length() + 2048);
        tail.append("Chat-Version: 1.0\r\n");
        tail.append(folded("Autocrypt: addr=bench@localhost; prefer-encrypt=mutual; keydata=", autocryptKeydata));
        tail.append("MIME-Version: 1.0\r\n");
        tail.append("Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n boundary=\"")
                .append(BOUNDARY).append("\"\r\n\r\n");
        tail.append("This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n");
        tail.append("--").append(BOUNDARY).append("\r\n");
        tail.append("Content-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\n");
        tail.append("Version: 1\r\n\r\n");
        tail.append("--").append(BOUNDARY).append("\r\n");
        tail.append("Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n");
        tail.append("Content-Description: OpenPGP encrypted message\r\n");
        tail.append("Content-Disposition: inline; filename=\"encrypted.asc\";\r\n\r\n");
        tail.append(armored);
        tail.append("\r\n--").append(BOUNDARY).append("--\r\n");
        return new Template(DotStuffing.stuff(tail.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    private byte[] encrypt(byte[] plaintext) {
        ByteArrayOutputStream literal = new ByteArrayOutputStream(plaintext.length + 64);
        try (BCPGOutputStream bcpg = new BCPGOutputStream(literal, PacketFormat.CURRENT);
             OutputStream lit = new PGPLiteralDataGenerator().open(bcpg, PGPLiteralData.BINARY, "", plaintext.length, new Date())) {
            lit.write(plaintext);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] literalBytes = literal.toByteArray();
        PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(
                new BcPGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true).setSecureRandom(random));
        gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(encryptionKey.getPublicKey()).setSecureRandom(random));
        ByteArrayOutputStream out = new ByteArrayOutputStream(literalBytes.length + 256);
        try (OutputStream enc = gen.open(out, literalBytes.length)) {
            enc.write(literalBytes);
        } catch (IOException | PGPException e) {
            throw new IllegalStateException("cannot encrypt", e);
        }
        return out.toByteArray();
    }

    private static String armor(byte[] binary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(binary.length * 4 / 3 + 256);
        // No armor headers: an outgoing Version: header is refused by chatmail relays (ENC-1).
        try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().enableCRC(true).build(out)) {
            armored.write(binary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.US_ASCII).replace("\r\n", "\n").replace("\n", "\r\n");
    }

    private static String folded(String prefix, String value) {
        StringBuilder sb = new StringBuilder(prefix);
        int lineLength = prefix.length();
        for (int i = 0; i < value.length(); i += 76) {
            String piece = value.substring(i, Math.min(value.length(), i + 76));
            if (lineLength + piece.length() > 78) {
                sb.append("\r\n ");
                lineLength = 1;
            }
            sb.append(piece);
            lineLength += piece.length();
        }
        return sb.append("\r\n").toString();
    }

    /** The fixed part of a message; {@link #head} makes the per-message header lines. */
    public static final class Template {
        private final byte[] tail;

        Template(byte[] tail) {
            this.tail = tail;
        }

        /** The content after the per-message headers: dot-stuffed, CRLF line ends. */
        public byte[] tail() {
            return tail;
        }

        /** The per-message header lines (From equals the sender, as relays require). */
        public byte[] head(String from, String to, String messageId) {
            String h = "From: <" + from + ">\r\n"
                    + "To: <" + to + ">\r\n"
                    + "Subject: [...]\r\n"
                    + "Date: " + DATE.format(ZonedDateTime.now()) + "\r\n"
                    + "Message-ID: <" + messageId + ">\r\n";
            return h.getBytes(StandardCharsets.US_ASCII);
        }

        /** A whole message as one array, not dot-stuffed back: for checks and tests. */
        public byte[] message(String from, String to, String messageId) {
            byte[] head = head(from, to, messageId);
            byte[] all = new byte[head.length + tail.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(tail, 0, all, head.length, tail.length);
            return DotStuffing.unstuff(all);
        }

        public int sizeFor(String from, String to) {
            return head(from, to, "bench.0000000000.000000@" + from.substring(from.indexOf('@') + 1)).length + tail.length;
        }
    }
}
