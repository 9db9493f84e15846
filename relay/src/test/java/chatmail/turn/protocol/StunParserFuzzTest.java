package chatmail.turn.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * Fuzzes the TURN message codec: whatever a client sends, the parser throws nothing but
 * {@link StunFormatException}, and so do the attribute decoders; a parsed message written back
 * with {@link StunWriter} parses to the same message (same type, transaction, attributes,
 * integrity position and fingerprint). The relay path's in-place readers throw nothing at all
 * and agree with the parser: a datagram {@link SendIndication} accepts is a well-formed Send
 * indication with that peer and those data bytes. {@code mvn test} replays the seeds in
 * {@code src/test/resources/chatmail/turn/protocol/StunParserFuzzTestInputs/parse};
 * {@code scripts/fuzz} fuzzes for real.
 */
class StunParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        StunMessage message;
        try {
            message = StunParser.parse(input);
        } catch (StunFormatException expected) {
            message = null;
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(input.length + 4);
        buffer.put(input).clear();
        SendIndication.Target target = new SendIndication.Target();
        boolean send = SendIndication.read(buffer, input.length, new CRC32(), target);
        if (input.length >= ChannelData.HEADER_LENGTH) {
            int length = ChannelData.dataLength(buffer, 0, input.length);
            assertThat(length).isBetween(-1, input.length - ChannelData.HEADER_LENGTH);
        }
        if (send) {
            assertThat(message).as("a Send indication the relay path accepts parses").isNotNull();
            assertThat(message.type()).isEqualTo(Stun.SEND_INDICATION);
            byte[] data = new byte[target.dataLength];
            buffer.get(target.dataOffset, data);
            assertThat(data).isEqualTo(message.first(Attribute.DATA).value());
            try {
                var peer = XorAddress.decode(message.first(Attribute.XOR_PEER_ADDRESS), message.transactionId());
                assertThat(peer.getPort()).isEqualTo(target.port);
                assertThat(peer.getAddress().getAddress()).isEqualTo(java.util.Arrays.copyOf(target.ip, target.ipLength));
            } catch (StunFormatException e) {
                throw new AssertionError("the relay path took a peer address the decoder refuses", e);
            }
        }
        if (message == null) {
            return;
        }
        decodeEveryAttribute(message);
        StunWriter writer = new StunWriter(message.type(), message.transactionId());
        message.attributes().forEach(writer::attribute);
        if (message.fingerprinted()) {
            writer.fingerprint();
        }
        try {
            assertThat(StunParser.parse(writer.toBytes())).isEqualTo(message);
        } catch (StunFormatException e) {
            throw new AssertionError("a parsed message written back does not parse: " + e.getMessage(), e);
        }
    }

    private static void decodeEveryAttribute(StunMessage m) {
        for (StunAttribute a : m.attributes()) {
            try {
                switch (a.type()) {
                    case Attribute.XOR_MAPPED_ADDRESS, Attribute.XOR_PEER_ADDRESS, Attribute.XOR_RELAYED_ADDRESS ->
                            XorAddress.decode(a, m.transactionId());
                    case Attribute.ERROR_CODE -> ErrorCode.decode(a);
                    case Attribute.LIFETIME -> Values.u32(a);
                    case Attribute.REQUESTED_TRANSPORT, Attribute.REQUESTED_ADDRESS_FAMILY -> Values.firstOfFour(a);
                    case Attribute.CHANNEL_NUMBER -> Values.channelNumber(a);
                    case Attribute.EVEN_PORT -> Values.evenPortReserve(a);
                    case Attribute.RESERVATION_TOKEN -> Values.reservationToken(a);
                    case Attribute.USERNAME, Attribute.REALM, Attribute.NONCE, Attribute.SOFTWARE -> Values.text(a, 763);
                    default -> { }
                }
            } catch (StunFormatException expected) {
                // a bad value is reported as such, never as anything else
            }
        }
    }
}
