package chatmail.smtp.protocol;

import chatmail.smtp.protocol.SaslDecoder.Failure;
import chatmail.smtp.protocol.SaslDecoder.LoginValue;
import chatmail.smtp.protocol.SaslDecoder.PlainCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class SaslDecoderTest {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertFailure(SaslDecoder.Result r, int code, String enhanced) {
        assertThat(r).isInstanceOf(Failure.class);
        assertThat(((Failure) r).reply().code()).isEqualTo(code);
        assertThat(((Failure) r).reply().enhancedCode()).isEqualTo(enhanced);
    }

    @Test
    void plainWithoutAuthzid() {
        var r = (PlainCredentials) SaslDecoder.decodePlain(b64("\0alice@relay.example\0sëcret pass"));
        assertThat(r).isEqualTo(new PlainCredentials("", "alice@relay.example", "sëcret pass"));
        assertThat(r.effectiveIdentity()).isEqualTo("alice@relay.example");
        assertThat(r.toString()).doesNotContain("sëcret");
    }

    @Test
    void plainWithAuthzid() {
        var r = (PlainCredentials) SaslDecoder.decodePlain(b64("bob@x\0alice@x\0pw"));
        assertThat(r.authzid()).isEqualTo("bob@x");
        assertThat(r.effectiveIdentity()).isEqualTo("bob@x");
    }

    @Test
    void cancelIs501_5_7_0() {
        assertFailure(SaslDecoder.decodePlain("*"), 501, "5.7.0");
        assertFailure(SaslDecoder.decodeLogin("*"), 501, "5.7.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not base64!", "AGFsaWNlAHB3=", "AG Fs", "////"})
    void undecodableIs501_5_5_2(String response) {
        // "////" is valid base64 of 0xFF bytes, which are not UTF-8.
        assertFailure(SaslDecoder.decodePlain(response), 501, "5.5.2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "\0alice", "\0alice\0", "\0\0pw", "a\0b\0c\0d", "="})
    void missingOrExtraPartsAre535(String decoded) {
        String response = decoded.equals("=") ? "=" : b64(decoded);
        assertFailure(SaslDecoder.decodePlain(response), 535, "5.7.8");
    }

    @Test
    void loginTwoStep() {
        assertThat(SmtpReplies.AUTH_LOGIN_USERNAME.toWire()).isEqualTo("334 VXNlcm5hbWU6\r\n");
        assertThat(SmtpReplies.AUTH_LOGIN_PASSWORD.toWire()).isEqualTo("334 UGFzc3dvcmQ6\r\n");
        assertThat(new String(Base64.getDecoder().decode("VXNlcm5hbWU6"), StandardCharsets.US_ASCII)).isEqualTo("Username:");
        assertThat(new String(Base64.getDecoder().decode("UGFzc3dvcmQ6"), StandardCharsets.US_ASCII)).isEqualTo("Password:");
        assertThat(SaslDecoder.decodeLogin(b64("alice@x"))).isEqualTo(new LoginValue("alice@x"));
        assertThat(SaslDecoder.decodeLogin(b64("pässword"))).isEqualTo(new LoginValue("pässword"));
        assertFailure(SaslDecoder.decodeLogin("%%%%"), 501, "5.5.2");
        assertFailure(SaslDecoder.decodeLogin("="), 535, "5.7.8");
    }

    @Test
    void plainContinuationPromptIsEmpty334() {
        assertThat(SmtpReplies.AUTH_PLAIN_CONTINUE.toWire()).isEqualTo("334 \r\n");
    }
}
