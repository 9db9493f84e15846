package chatmail.policy;

import static chatmail.policy.fixtures.OpenPgpFixtures.armor;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.policy.fixtures.OpenPgpFixtures;
import chatmail.policy.fixtures.TestMessages;
import chatmail.policy.fixtures.TestMessages.Part;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC ENC-3: every row, in both directions, with messages built here by Bouncy Castle. */
class EncryptionPolicyTest {

    private static final String ALICE = "alice1234@relay.example";
    private static final String BOB = "bob123456@other.example";
    private static final boolean PASS = true;
    private static final boolean REJECT_523 = false;

    private final EncryptionPolicy policy = new EncryptionPolicy();

    static Stream<Arguments> enc3Table() {
        return Stream.of(
                row("PKESK(s) + SEIPD v1", () -> TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.pkeskV3SeipdV1())),
                        PASS, PASS),
                row("PKESK v6 + SEIPD v2", () -> TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.pkeskV6SeipdV2())),
                        PASS, PASS),
                row("SKESK + SEIPD (Secure-Join v3)", () -> TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.skeskSeipd())),
                        PASS, PASS),
                row("PKESK + SEIPD v1, armor Version header", () -> TestMessages.encrypted(ALICE, BOB,
                        armor(OpenPgpFixtures.pkeskV3SeipdV1(), true, "BCPG v1.86")), REJECT_523, PASS),
                row("PKESK v6 + SEIPD v2, armor Version header", () -> TestMessages.encrypted(ALICE, BOB,
                        armor(OpenPgpFixtures.pkeskV6SeipdV2(), false, "rPGP 0.15")), REJECT_523, PASS),
                row("SKESK + SEIPD, armor Version header", () -> TestMessages.encrypted(ALICE, BOB,
                        armor(OpenPgpFixtures.skeskSeipd(), true, "1")), REJECT_523, PASS),
                row("legacy packet headers, partial body lengths",
                        () -> TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.legacyHeadersPartialLengths())), PASS, PASS),
                row("armor without CRC line", () -> TestMessages.encrypted(ALICE, BOB,
                        armor(OpenPgpFixtures.pkeskV3SeipdV1(), false, null)), PASS, PASS),
                row("literal-data packet instead of SEIPD",
                        () -> TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.literalDataInsteadOfSeipd())), REJECT_523, REJECT_523),
                row("bare literal-data packet",
                        () -> TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.literalDataOnly())), REJECT_523, REJECT_523),
                row("SEIPD followed by a literal-data packet", () -> TestMessages.encrypted(ALICE, BOB, armor(
                        OpenPgpFixtures.withTrailingBytes(OpenPgpFixtures.pkeskV3SeipdV1(), OpenPgpFixtures.literalDataOnly()))),
                        REJECT_523, REJECT_523),
                row("SEIPD followed by one stray byte", () -> TestMessages.encrypted(ALICE, BOB, armor(
                        OpenPgpFixtures.withTrailingBytes(OpenPgpFixtures.pkeskV6SeipdV2(), new byte[] {0}))), REJECT_523, REJECT_523),
                row("truncated SEIPD body", () -> {
                    byte[] full = OpenPgpFixtures.pkeskV3SeipdV1();
                    return TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.truncated(full, full.length - 7)));
                }, REJECT_523, REJECT_523),
                row("truncated partial-length SEIPD", () -> {
                    byte[] full = OpenPgpFixtures.legacyHeadersPartialLengths();
                    return TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.truncated(full, full.length - 100)));
                }, REJECT_523, REJECT_523),
                row("truncated inside a PKESK header", () -> TestMessages.encrypted(ALICE, BOB,
                        armor(OpenPgpFixtures.truncated(OpenPgpFixtures.pkeskV3SeipdV1(), 1))), REJECT_523, REJECT_523),
                row("PKESKs without SEIPD", () -> TestMessages.encrypted(ALICE, BOB,
                        armor(OpenPgpFixtures.split(OpenPgpFixtures.pkeskV3SeipdV1()).keyPacketBytes())), REJECT_523, REJECT_523),
                row("armor block inside text/plain", () -> TestMessages.armorInTextPlain(ALICE, BOB,
                        armor(OpenPgpFixtures.pkeskV3SeipdV1())), REJECT_523, REJECT_523),
                row("genuine Secure-Join vc-request", () -> TestMessages.secureJoin(ALICE, BOB, "vc-request"), PASS, PASS),
                row("genuine Secure-Join vg-request", () -> TestMessages.secureJoin(ALICE, BOB, "vg-request"), PASS, PASS),
                row("Secure-Join header with another body", () -> TestMessages.secureJoin(ALICE, BOB, "vc-request",
                        "Hi Bob, here is my phone number\r\n"), REJECT_523, REJECT_523),
                row("Secure-Join header vc-request with vg-request body", () -> TestMessages.secureJoin(ALICE, BOB, "vc-request",
                        "Secure-Join: vg-request\r\n"), REJECT_523, REJECT_523),
                row("Secure-Join later step header (vc-auth-required)", () -> TestMessages.secureJoin(ALICE, BOB, "vc-auth-required",
                        "Secure-Join: vc-auth-required\r\n"), REJECT_523, REJECT_523),
                row("Secure-Join body with an extra part", () -> TestMessages.multipart(ALICE, BOB, "multipart/mixed",
                        List.of("Secure-Join: vc-request"), List.of(Part.of("text/plain", "Secure-Join: vc-request\r\n"),
                                Part.of("text/plain", "buy now\r\n"))), REJECT_523, REJECT_523),
                row("Secure-Join body as text/html", () -> TestMessages.multipart(ALICE, BOB, "multipart/mixed",
                        List.of("Secure-Join: vc-request"), List.of(Part.of("text/html", "Secure-Join: vc-request\r\n"))),
                        REJECT_523, REJECT_523),
                row("mailer-daemon report (all three SMTP-9 conditions)",
                        () -> TestMessages.mailerDaemonReport("mx.example.net", ALICE), REJECT_523, PASS),
                row("mailer-daemon report without Auto-Submitted", () -> TestMessages.mailerDaemonReport(
                        "MAILER-DAEMON@mx.example.net", ALICE, null, "multipart/report"), REJECT_523, REJECT_523),
                row("mailer-daemon report with empty Auto-Submitted", () -> TestMessages.mailerDaemonReport(
                        "MAILER-DAEMON@mx.example.net", ALICE, " ", "multipart/report"), REJECT_523, REJECT_523),
                row("report from a non-mailer-daemon address", () -> TestMessages.mailerDaemonReport(
                        "postmaster@mx.example.net", ALICE, "auto-replied", "multipart/report"), REJECT_523, REJECT_523),
                row("mailer-daemon bounce that is not multipart/report", () -> TestMessages.mailerDaemonReport(
                        "MAILER-DAEMON@mx.example.net", ALICE, "auto-replied", "multipart/mixed"), REJECT_523, REJECT_523),
                row("mailer-daemon report without From", () -> TestMessages.mailerDaemonReport(
                        null, ALICE, "auto-replied", "multipart/report"), REJECT_523, REJECT_523),
                row("MDN (multipart/report from a user)", () -> TestMessages.mdn(BOB, ALICE), REJECT_523, REJECT_523),
                row("plain text", () -> TestMessages.plainText(ALICE, BOB, "hello in the clear\r\n"), REJECT_523, REJECT_523));
    }

    private static Arguments row(String name, Supplier<byte[]> message, boolean outgoing, boolean incoming) {
        return Arguments.of(Named.of(name, message), outgoing, incoming);
    }

    @ParameterizedTest(name = "{0}: outgoing pass={1}, incoming pass={2}")
    @MethodSource("enc3Table")
    void enc3Verdicts(Supplier<byte[]> message, boolean outgoingPass, boolean incomingPass) throws Exception {
        byte[] m = message.get();
        assertVerdict(policy.check(m, Direction.OUTGOING_OR_LOCAL), outgoingPass);
        assertVerdict(policy.check(m, Direction.INCOMING), incomingPass);
        // The streaming entry point must agree with the byte-array one.
        assertVerdict(policy.check(new ByteArrayInputStream(m), Direction.OUTGOING_OR_LOCAL), outgoingPass);
        assertVerdict(policy.check(new ByteArrayInputStream(m), Direction.INCOMING), incomingPass);
    }

    static Stream<Arguments> structureVariants() {
        String armored = armor(OpenPgpFixtures.pkeskV3SeipdV1());
        return Stream.of(
                row("payload part base64-encoded", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart(), new Part("application/octet-stream", "base64", armored))), PASS, PASS),
                row("version part quoted-printable", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        new Part("application/pgp-encrypted", "quoted-printable", "Version:=201\r\n"),
                        Part.of("application/octet-stream", armored))), PASS, PASS),
                row("bare LF line endings", () -> new String(TestMessages.encrypted(ALICE, BOB, armored), StandardCharsets.US_ASCII)
                        .replace("\r\n", "\n").getBytes(StandardCharsets.US_ASCII), PASS, PASS),
                row("version part says Version: 2", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        Part.of("application/pgp-encrypted", "Version: 2\r\n"), Part.of("application/octet-stream", armored))),
                        REJECT_523, REJECT_523),
                row("parts in the wrong order", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        Part.of("application/octet-stream", armored), TestMessages.pgpVersionPart())), REJECT_523, REJECT_523),
                row("a third part", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart(), Part.of("application/octet-stream", armored),
                        Part.of("text/plain", "cleartext rider\r\n"))), REJECT_523, REJECT_523),
                row("only the version part", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart())), REJECT_523, REJECT_523),
                row("payload part typed text/plain", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart(), Part.of("text/plain", armored))), REJECT_523, REJECT_523),
                row("nested multipart as payload", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart(), Part.of("multipart/mixed; boundary=\"inner\"",
                                "--inner\r\nContent-Type: text/plain\r\n\r\nx\r\n--inner--\r\n"))), REJECT_523, REJECT_523),
                row("text before the armor", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart(), Part.of("application/octet-stream", "Buy cheap pills!\r\n" + armored))),
                        REJECT_523, REJECT_523),
                row("text after the armor", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart(), Part.of("application/octet-stream", armored + "Buy cheap pills!\r\n"))),
                        REJECT_523, REJECT_523),
                row("two armor blocks", () -> TestMessages.multipartEncrypted(ALICE, BOB, List.of(
                        TestMessages.pgpVersionPart(), Part.of("application/octet-stream", armored + armored))), REJECT_523, REJECT_523),
                row("armor Comment header", () -> TestMessages.encrypted(ALICE, BOB, armored.replace(
                        "-----BEGIN PGP MESSAGE-----\r\n", "-----BEGIN PGP MESSAGE-----\r\nComment: buy cheap pills\r\n")),
                        REJECT_523, REJECT_523),
                row("armor without END line", () -> TestMessages.encrypted(ALICE, BOB,
                        armored.replace("-----END PGP MESSAGE-----", "")), REJECT_523, REJECT_523),
                row("armor with invalid base64", () -> TestMessages.encrypted(ALICE, BOB,
                        armored.replace("-----BEGIN PGP MESSAGE-----\r\n\r\n", "-----BEGIN PGP MESSAGE-----\r\n\r\nnot*base64\r\n")),
                        REJECT_523, REJECT_523),
                row("armored SIGNATURE instead of MESSAGE", () -> TestMessages.encrypted(ALICE, BOB,
                        armored.replace("PGP MESSAGE", "PGP SIGNATURE")), REJECT_523, REJECT_523),
                row("SEIPD alone, no session-key packet", () -> TestMessages.encrypted(ALICE, BOB,
                        armor(OpenPgpFixtures.split(OpenPgpFixtures.pkeskV3SeipdV1()).seipd())), PASS, PASS),
                row("multipart/encrypted without boundary", () -> ("From: <" + ALICE + ">\r\nTo: <" + BOB + ">\r\n"
                        + "Content-Type: multipart/encrypted\r\n\r\n" + armored).getBytes(StandardCharsets.US_ASCII),
                        REJECT_523, REJECT_523),
                row("empty message", () -> new byte[0], REJECT_523, REJECT_523));
    }

    @ParameterizedTest(name = "{0}: outgoing pass={1}, incoming pass={2}")
    @MethodSource("structureVariants")
    void mimeAndArmorVariants(Supplier<byte[]> message, boolean outgoingPass, boolean incomingPass) {
        byte[] m = message.get();
        assertVerdict(policy.check(m, Direction.OUTGOING_OR_LOCAL), outgoingPass);
        assertVerdict(policy.check(m, Direction.INCOMING), incomingPass);
    }

    @Test
    void rejectionCarriesThe523Reply() {
        Verdict v = policy.check(TestMessages.plainText(ALICE, BOB, "hi\r\n"), Direction.OUTGOING_OR_LOCAL);
        assertThat(v.rejection()).hasValueSatisfying(r ->
                assertThat(r.line()).isEqualTo("523 5.7.10 Encryption Needed: Invalid Unencrypted Mail"));
    }

    @Test
    void largeEncryptedMessageIsStreamed() throws Exception {
        // ~12 MB of SEIPD body in partial-length chunks: the verdict must not depend on size.
        byte[] big = bigSeipd(12 * 1024 * 1024);
        byte[] m = TestMessages.encrypted(ALICE, BOB, armor(big));
        assertVerdict(policy.check(new ByteArrayInputStream(m), Direction.OUTGOING_OR_LOCAL), PASS);
        byte[] cut = TestMessages.encrypted(ALICE, BOB, armor(OpenPgpFixtures.truncated(big, big.length - 1)));
        assertVerdict(policy.check(new ByteArrayInputStream(cut), Direction.INCOMING), REJECT_523);
    }

    /** A structurally valid SEIPD v1 of {@code size} body bytes framed in 1 MiB partial chunks. */
    private static byte[] bigSeipd(int size) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size + 64);
        out.write(0xC0 | 18);
        int chunk = 1 << 20;
        int remaining = size;
        boolean first = true;
        while (remaining > chunk) {
            out.write(0xE0 | 20);
            byte[] body = new byte[chunk];
            if (first) {
                body[0] = 1;
                first = false;
            }
            out.writeBytes(body);
            remaining -= chunk;
        }
        out.write(0xFF);
        out.write(remaining >>> 24);
        out.write(remaining >>> 16);
        out.write(remaining >>> 8);
        out.write(remaining);
        out.writeBytes(new byte[remaining]);
        return out.toByteArray();
    }

    private static void assertVerdict(Verdict v, boolean pass) {
        if (pass) {
            assertThat(v).isEqualTo(Verdict.accept());
        } else {
            assertThat(v).isEqualTo(Verdict.reject(Replies.ENCRYPTION_NEEDED));
        }
    }
}
