package chatmail.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientHelloParserTest {

    private final ClientHelloParser parser = new ClientHelloParser(32 * 1024);

    private ClientHelloParser.Result parse(byte[] b) {
        return parser.parse(b, b.length);
    }

    @Test
    void readsTheAlpnNamesOfARealClientInItsOrder() throws Exception {
        assertThat(parse(ClientHellos.jsse(List.of("imap"))))
                .isEqualTo(new ClientHelloParser.Hello(List.of("imap")));
        assertThat(parse(ClientHellos.jsse(List.of("h2", "http/1.1"))))
                .isEqualTo(new ClientHelloParser.Hello(List.of("h2", "http/1.1")));
        assertThat(parse(ClientHellos.jsse(List.of("smtp", "imap"))))
                .isEqualTo(new ClientHelloParser.Hello(List.of("smtp", "imap")));
    }

    @Test
    void aClientHelloWithoutAlpnHasNoNames() throws Exception {
        assertThat(parse(ClientHellos.jsse(List.of()))).isEqualTo(new ClientHelloParser.Hello(List.of()));
    }

    @Test
    void everyProperPrefixAsksForMore() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("smtp"));
        for (int n = 0; n < hello.length; n++) {
            assertThat(parser.parse(hello, n)).as("first %d bytes", n).isInstanceOf(ClientHelloParser.NeedMore.class);
        }
        assertThat(parser.parse(hello, hello.length)).isEqualTo(new ClientHelloParser.Hello(List.of("smtp")));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 100, 511})
    void aClientHelloSplitOverManyRecordsIsReassembled(int chunk) throws Exception {
        byte[] split = ClientHellos.records(ClientHellos.message(ClientHellos.jsse(List.of("imap"))), chunk);
        assertThat(parse(split)).isEqualTo(new ClientHelloParser.Hello(List.of("imap")));
        for (int n = 0; n < split.length; n += 1 + split.length / 97) {
            assertThat(parser.parse(split, n)).isInstanceOf(ClientHelloParser.NeedMore.class);
        }
    }

    @Test
    void bytesAfterTheClientHelloDoNotMatter() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("smtp"));
        byte[] more = Arrays.copyOf(hello, hello.length + 20);
        more[hello.length] = 23; // an application-data record starts (early data)
        assertThat(parse(more)).isEqualTo(new ClientHelloParser.Hello(List.of("smtp")));
    }

    @Test
    void plainTextIsNotAClientHello() {
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parse(http)).isInstanceOf(ClientHelloParser.NotHello.class);
        byte[] smtp = "EHLO x\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parse(smtp)).isInstanceOf(ClientHelloParser.NotHello.class);
    }

    @Test
    void otherRecordsAndHandshakeMessagesAreRefused() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("imap"));
        byte[] alert = hello.clone();
        alert[0] = 21;
        assertThat(parse(alert)).isInstanceOf(ClientHelloParser.NotHello.class);
        byte[] serverHello = hello.clone();
        serverHello[5] = 2;
        assertThat(parse(serverHello)).isInstanceOf(ClientHelloParser.NotHello.class);
        byte[] sslv2 = hello.clone();
        sslv2[1] = 2;
        assertThat(parse(sslv2)).isInstanceOf(ClientHelloParser.NotHello.class);
        byte[] emptyRecord = {22, 3, 1, 0, 0};
        assertThat(parse(emptyRecord)).isInstanceOf(ClientHelloParser.NotHello.class);
        byte[] hugeRecord = {22, 3, 1, (byte) 0x48, 0};
        assertThat(parse(hugeRecord)).isInstanceOf(ClientHelloParser.NotHello.class);
    }

    @Test
    void aClientHelloOverTheLimitIsRefusedBeforeItArrives() {
        // Claims 100 000 bytes; only the header is there.
        byte[] start = {22, 3, 1, 0, 4, 1, 0x01, (byte) 0x86, (byte) 0xa0};
        assertThat(new ClientHelloParser(16 * 1024).parse(start, start.length))
                .isInstanceOf(ClientHelloParser.NotHello.class);
    }

    @Test
    void malformedAlpnIsRefused() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("imap"));
        int at = indexOf(hello, new byte[] {0, 16, 0, 7, 0, 5, 4, 'i', 'm', 'a', 'p'});
        assertThat(at).isPositive();
        byte[] emptyName = hello.clone();
        emptyName[at + 6] = 0;
        assertThat(parse(emptyName)).isInstanceOf(ClientHelloParser.NotHello.class);
        byte[] longName = hello.clone();
        longName[at + 6] = 9;
        assertThat(parse(longName)).isInstanceOf(ClientHelloParser.NotHello.class);
        byte[] listLength = hello.clone();
        listLength[at + 5] = 4;
        assertThat(parse(listLength)).isInstanceOf(ClientHelloParser.NotHello.class);
    }

    @Test
    void aRepeatedExtensionIsRefused() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("imap"));
        int at = indexOf(hello, new byte[] {0, 16, 0, 7, 0, 5, 4, 'i', 'm', 'a', 'p'});
        // Turn ALPN into a second copy of the extension before it, keeping all lengths intact.
        int previousType = findExtensionTypeBefore(hello, at);
        byte[] twice = hello.clone();
        twice[at] = (byte) (previousType >> 8);
        twice[at + 1] = (byte) previousType;
        assertThat(parse(twice)).isInstanceOf(ClientHelloParser.NotHello.class);
    }

    @Test
    void randomDamageNeverThrows() throws Exception {
        byte[] hello = ClientHellos.jsse(List.of("h2", "http/1.1", "smtp"));
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = hello.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(b.length + 1);
            assertThat(parser.parse(b, length)).isNotNull();
        }
    }

    /** Jazzer: any bytes give one of the three answers, never an exception or a hang. */
    @FuzzTest(maxDuration = "30s")
    void fuzz(byte[] data) {
        ClientHelloParser.Result r = new ClientHelloParser(4096).parse(data, data.length);
        if (r instanceof ClientHelloParser.Hello hello) {
            assertThat(hello.alpn()).allSatisfy(name -> assertThat(name).isNotEmpty());
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The type of the extension that ends right where {@code alpnAt} starts. */
    private static int findExtensionTypeBefore(byte[] hello, int alpnAt) {
        // Extensions start after: record(5) + handshake header(4) + version(2) + random(32) + session id + suites + compression + length(2).
        int p = 5 + 4 + 2 + 32;
        p += 1 + (hello[p] & 0xff);
        p += 2 + (((hello[p] & 0xff) << 8) | (hello[p + 1] & 0xff));
        p += 1 + (hello[p] & 0xff);
        p += 2;
        int previous = -1;
        while (p < alpnAt) {
            previous = ((hello[p] & 0xff) << 8) | (hello[p + 1] & 0xff);
            p += 4 + (((hello[p + 2] & 0xff) << 8) | (hello[p + 3] & 0xff));
        }
        return previous;
    }
}
