package chatmail.turn.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The codec against the test vectors of RFC 5769 and against itself. */
class StunCodecTest {
    private static final byte[] RFC5769_TID = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");
    private static final byte[] RFC5769_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    /** RFC 5769 section 2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME. */
    static final byte[] SAMPLE_REQUEST = HexFormat.of().parseHex(
            "000100582112a442b7e7a701bc34d686fa87dfae"
                    + "80220010" + "5354554e" + "20746573" + "7420636c" + "69656e74"
                    + "00240004" + "6e0001ff"
                    + "80290008" + "932ff9b1" + "51263b36"
                    + "00060009" + "6576746a" + "3a683676" + "59202020"
                    + "00080014" + "9aeaa70c" + "bfd8cb56" + "781ef2b5" + "b2d3f249" + "c1b571a2"
                    + "80280004" + "e57a3bcf");

    /** RFC 5769 section 2.2: the IPv4 Binding success response. */
    static final byte[] SAMPLE_IPV4_RESPONSE = HexFormat.of().parseHex(
            "0101003c2112a442b7e7a701bc34d686fa87dfae"
                    + "8022000b" + "74657374" + "20766563" + "746f7220"
                    + "00200008" + "0001a147" + "e112a643"
                    + "00080014" + "2b91f599" + "fd9e90c3" + "8c7489f9" + "2af9ba53" + "f06be7d7"
                    + "80280004" + "c07d4c96");

    /** RFC 5769 section 2.3: the IPv6 Binding success response. */
    static final byte[] SAMPLE_IPV6_RESPONSE = HexFormat.of().parseHex(
            "010100482112a442b7e7a701bc34d686fa87dfae"
                    + "8022000b" + "74657374" + "20766563" + "746f7220"
                    + "00200014" + "0002a147" + "0113a9fa" + "a5d3f179" + "bc25f4b5" + "bed2b9d9"
                    + "00080014" + "a382954e" + "4be67bf1" + "1784c97c" + "8292c275" + "bfe3ed41"
                    + "80280004" + "c8fb0b4c");

    @Test
    void rfc5769RequestParsesWithItsIntegrityAndFingerprint() throws Exception {
        StunMessage m = StunParser.parse(SAMPLE_REQUEST);
        assertThat(m.method()).isEqualTo(Stun.BINDING);
        assertThat(m.messageClass()).isEqualTo(Stun.REQUEST);
        assertThat(m.transactionId()).isEqualTo(RFC5769_TID);
        assertThat(m.fingerprinted()).isTrue();
        assertThat(Values.text(m.first(Attribute.USERNAME), 512)).isEqualTo("evtj:h6vY");
        assertThat(Values.text(m.first(Attribute.SOFTWARE), 512)).isEqualTo("STUN test client");
        // Short-term credentials: the password is the key.
        assertThat(MessageIntegrity.verify(RFC5769_PASSWORD, SAMPLE_REQUEST, 0, m)).isTrue();
        assertThat(MessageIntegrity.verify("wrong".getBytes(StandardCharsets.UTF_8), SAMPLE_REQUEST, 0, m)).isFalse();
    }

    @Test
    void rfc5769ResponsesCarryTheMappedAddresses() throws Exception {
        StunMessage v4 = StunParser.parse(SAMPLE_IPV4_RESPONSE);
        assertThat(v4.messageClass()).isEqualTo(Stun.SUCCESS);
        assertThat(XorAddress.decode(v4.first(Attribute.XOR_MAPPED_ADDRESS), v4.transactionId()))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        assertThat(MessageIntegrity.verify(RFC5769_PASSWORD, SAMPLE_IPV4_RESPONSE, 0, v4)).isTrue();
        StunMessage v6 = StunParser.parse(SAMPLE_IPV6_RESPONSE);
        assertThat(XorAddress.decode(v6.first(Attribute.XOR_MAPPED_ADDRESS), v6.transactionId()))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        assertThat(MessageIntegrity.verify(RFC5769_PASSWORD, SAMPLE_IPV6_RESPONSE, 0, v6)).isTrue();
    }

    @Test
    void theWriterReproducesTheRfc5769ResponseUpToItsSpacePadding() throws Exception {
        byte[] written = new StunWriter(Stun.type(Stun.BINDING, Stun.SUCCESS), RFC5769_TID)
                .text(Attribute.SOFTWARE, "test vector")
                .xorAddress(Attribute.XOR_MAPPED_ADDRESS, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853))
                .messageIntegrity(RFC5769_PASSWORD)
                .fingerprint()
                .toBytes();
        // The RFC pads SOFTWARE with a space where we write zero (any padding is allowed), which
        // changes the HMAC and the CRC but nothing before them.
        byte[] expected = SAMPLE_IPV4_RESPONSE.clone();
        expected[20 + 4 + 11] = 0;
        assertThat(HexFormat.of().formatHex(written, 0, 52)).isEqualTo(HexFormat.of().formatHex(expected, 0, 52));
        assertThat(written).hasSameSizeAs(expected);
        StunMessage parsed = StunParser.parse(written);
        assertThat(MessageIntegrity.verify(RFC5769_PASSWORD, written, 0, parsed)).isTrue();
        assertThat(parsed.attributes().subList(0, 2)).isEqualTo(StunParser.parse(SAMPLE_IPV4_RESPONSE).attributes().subList(0, 2));
    }

    @Test
    void malformedDatagramsAreRefusedWithTheParsersOwnError() {
        byte[] badCookie = SAMPLE_REQUEST.clone();
        badCookie[4] = 0;
        byte[] badFingerprint = SAMPLE_REQUEST.clone();
        badFingerprint[badFingerprint.length - 1] ^= 1;
        byte[] lengthTooLong = SAMPLE_REQUEST.clone();
        lengthTooLong[3] = (byte) 0x5c;
        byte[] attributeOverrun = SAMPLE_REQUEST.clone();
        attributeOverrun[22] = (byte) 0x7f; // SOFTWARE claims more than the message holds
        byte[] firstBitsSet = SAMPLE_REQUEST.clone();
        firstBitsSet[0] = (byte) 0x80;
        for (byte[] bad : new byte[][] {new byte[19], badCookie, badFingerprint, lengthTooLong, attributeOverrun, firstBitsSet}) {
            assertThatThrownBy(() -> StunParser.parse(bad)).isInstanceOf(StunFormatException.class);
        }
    }

    @Test
    void attributesAfterMessageIntegrityDoNotCount() throws Exception {
        byte[] tid = new byte[12];
        byte[] m = new StunWriter(Stun.type(Stun.ALLOCATE, Stun.REQUEST), tid)
                .u32(Attribute.LIFETIME, 600)
                .messageIntegrity(new byte[16])
                .u32(Attribute.REQUESTED_TRANSPORT, 17L << 24)
                .fingerprint()
                .toBytes();
        StunMessage parsed = StunParser.parse(m);
        assertThat(parsed.has(Attribute.LIFETIME)).isTrue();
        assertThat(parsed.has(Attribute.REQUESTED_TRANSPORT)).isFalse();
        assertThat(parsed.integrityOffset()).isEqualTo(28);
    }

    @Test
    void longTermKeyIsMd5OfUserRealmPassword() {
        assertThat(HexFormat.of().formatHex(MessageIntegrity.longTermKey("user", "realm", "pass")))
                .isEqualTo("8493fbc53ba582fb4c044c456bdc40eb");
    }

    @Test
    void messageTypesInterleaveMethodAndClass() {
        assertThat(Stun.type(Stun.BINDING, Stun.REQUEST)).isEqualTo(0x0001);
        assertThat(Stun.type(Stun.BINDING, Stun.SUCCESS)).isEqualTo(0x0101);
        assertThat(Stun.type(Stun.ALLOCATE, Stun.ERROR)).isEqualTo(0x0113);
        assertThat(Stun.SEND_INDICATION).isEqualTo(0x0016);
        assertThat(Stun.DATA_INDICATION).isEqualTo(0x0017);
        assertThat(Stun.type(Stun.CHANNEL_BIND, Stun.SUCCESS)).isEqualTo(0x0109);
        for (int type = 0; type < 0x4000; type++) {
            assertThat(Stun.type(Stun.method(type), Stun.messageClass(type))).isEqualTo(type);
        }
    }

    @Test
    void sendIndicationIsReadInPlaceAndDataIndicationWrittenAroundTheData() throws Exception {
        byte[] tid = HexFormat.of().parseHex("0102030405060708090a0b0c");
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 4242);
        byte[] payload = "hello, peer".getBytes(StandardCharsets.US_ASCII);
        byte[] send = new StunWriter(Stun.SEND_INDICATION, tid)
                .xorAddress(Attribute.XOR_PEER_ADDRESS, peer)
                .attribute(Attribute.DATA, payload)
                .fingerprint()
                .toBytes();
        ByteBuffer b = ByteBuffer.allocateDirect(256);
        b.put(send);
        SendIndication.Target t = new SendIndication.Target();
        assertThat(SendIndication.read(b, send.length, new CRC32(), t)).isTrue();
        assertThat(t.port).isEqualTo(4242);
        assertThat(InetAddress.getByAddress(java.util.Arrays.copyOf(t.ip, t.ipLength))).isEqualTo(peer.getAddress());
        byte[] data = new byte[t.dataLength];
        b.get(t.dataOffset, data);
        assertThat(data).isEqualTo(payload);
        send[send.length - 1] ^= 1;
        b.put(0, send);
        assertThat(SendIndication.read(b, send.length, new CRC32(), t)).as("bad fingerprint").isFalse();

        ByteBuffer out = ByteBuffer.allocateDirect(256);
        int dataOffset = DataIndication.MAX_HEADER_LENGTH;
        out.put(dataOffset, payload);
        int start = DataIndication.write(out, dataOffset, payload.length, peer.getAddress().getAddress(), 16, 4242, 0x01020304, 42);
        int end = DataIndication.end(dataOffset, payload.length);
        byte[] written = new byte[end - start];
        out.get(start, written);
        StunMessage data2 = StunParser.parse(written);
        assertThat(data2.type()).isEqualTo(Stun.DATA_INDICATION);
        assertThat(XorAddress.decode(data2.first(Attribute.XOR_PEER_ADDRESS), data2.transactionId())).isEqualTo(peer);
        assertThat(data2.first(Attribute.DATA).value()).isEqualTo(payload);
    }
}
