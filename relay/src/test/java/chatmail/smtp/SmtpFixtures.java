package chatmail.smtp;

import chatmail.policy.fixtures.OpenPgpFixtures;
import chatmail.policy.fixtures.TestMessages;
import chatmail.testing.TestRelay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

/** Accounts and messages for SMTP tests: real OpenPGP payloads of a chosen size. */
public final class SmtpFixtures {

    public static final String PASSWORD = "correct-horse-9";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private SmtpFixtures() {}

    /** A fresh, unused 9-character address of the test relay. */
    public static String newAddress() {
        return TestRelay.address(String.format("u%08d", SEQUENCE.incrementAndGet()));
    }

    /** Creates the account as its first login would (ACC-1) and returns its address. */
    public static String account(TestRelay relay) {
        String address = newAddress();
        relay.relay().accounts().login(address, PASSWORD).orElseThrow();
        return address;
    }

    /** PKESK (two v4 recipients) + SEIPD v1 whose plaintext has {@code plaintextSize} random bytes. */
    public static byte[] pgpMessage(int plaintextSize) {
        byte[] plaintext = new byte[plaintextSize];
        RANDOM.nextBytes(plaintext);
        ByteArrayOutputStream literal = new ByteArrayOutputStream();
        try (OutputStream lit = new PGPLiteralDataGenerator().open(literal, PGPLiteralData.BINARY, "",
                plaintext.length, new Date(1_700_000_000_000L))) {
            lit.write(plaintext);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(
                new BcPGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
                        .setWithIntegrityPacket(true).setSecureRandom(RANDOM));
        gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(OpenPgpFixtures.keys().v4First().getPublicKey())
                .setSecureRandom(RANDOM));
        gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(OpenPgpFixtures.keys().v4Second().getPublicKey())
                .setSecureRandom(RANDOM));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] data = literal.toByteArray();
        try (OutputStream enc = gen.open(out, data.length)) {
            enc.write(data);
        } catch (IOException | PGPException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** A Delta Chat-shaped encrypted message of roughly {@code approxBytes} bytes. */
    public static byte[] encrypted(String from, String to, int approxBytes) {
        // Armor grows the payload by 4/3; the MIME envelope adds about 700 bytes.
        int plaintext = Math.max(16, (approxBytes - 700) * 3 / 4 - 150);
        return TestMessages.encrypted(from, to, OpenPgpFixtures.armor(pgpMessage(plaintext)));
    }

    public static byte[] encrypted(String from, String to) {
        return TestMessages.encrypted(from, to);
    }

    /**
     * A Delta Chat message as a phone submits it, with the headers the relay must remove or
     * rewrite (SMTP-6), and what the recipient's INBOX must then hold, byte for byte.
     */
    public record Submitted(byte[] sent, byte[] expectedStored) {}

    public static Submitted deltaChatMessage(String from, String to, String messageId) {
        String armored = OpenPgpFixtures.armor(pgpMessage(1500));
        String boundary = "dc-Zq3kW9xB1";
        String kept1 = "From: <" + from + ">\r\n"
                + "To: <" + to + ">\r\n";
        String kept2 = "Date: Wed, 26 Nov 2025 08:00:00 +0000\r\n"
                + "Message-ID: <" + messageId + ">\r\n"
                + "Chat-Version: 1.0\r\n"
                + "Autocrypt: addr=" + from + "; prefer-encrypt=mutual; keydata=xjMEZ0ABCDEFGHIJ\r\n"
                + " KLMNOPQRSTUVWXYZabcdefghij\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n"
                + " boundary=\"" + boundary + "\"\r\n"
                + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Type: application/pgp-encrypted; charset=utf-8\r\n"
                + "Content-Description: PGP/MIME version identification\r\n"
                + "\r\n"
                + "Version: 1\r\n"
                + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Type: application/octet-stream; name=\"encrypted.asc\"; charset=utf-8\r\n"
                + "Content-Description: OpenPGP encrypted message\r\n"
                + "Content-Disposition: inline; filename=\"encrypted.asc\";\r\n"
                + "\r\n"
                + armored
                + "\r\n"
                + "--" + boundary + "--\r\n";
        String sent = "Received: from [127.0.0.1] (localhost [127.0.0.1])\r\n"
                + "\tby phone.local with ESMTPSA; Wed, 26 Nov 2025 08:00:00 +0000\r\n"
                + "X-Originating-IP: [127.0.0.1]\r\n"
                + kept1
                + "Subject: Dinner at 127.0.0.1 tonight?\r\n"
                + "X-Mailer: Delta Chat Core 2.22.0/Android\r\n"
                + "User-Agent: DeltaChat/2.22.0 (127.0.0.1)\r\n"
                + kept2;
        String expected = kept1 + "Subject: [...]\r\n" + kept2;
        return new Submitted(sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
