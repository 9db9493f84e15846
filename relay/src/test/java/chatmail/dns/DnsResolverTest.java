package chatmail.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.config.Config;
import chatmail.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** DLV-1 and SMTP-8 lookups against a real DNS server (NSD) on a loopback port. */
class DnsResolverTest {

    @TempDir
    static Path dir;

    static NsdServer nsd;
    static DnsResolver resolver;

    @BeforeAll
    static void startDns() throws Exception {
        nsd = NsdServer.in(dir).zone("example.test", """
                @ IN MX 20 mx2.example.test.
                @ IN MX 10 mx1.example.test.
                @ IN MX 30 backup.other.test.
                mx1 IN A 127.0.0.2
                mx2 IN A 127.0.0.3
                mx2 IN AAAA ::1
                nomx IN A 127.0.0.4
                nullmx IN MX 0 .
                key._domainkey IN TXT "v=DKIM1; k=rsa; " "p=AAAA"
                """).start();
        resolver = nsd.resolver(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopDns() throws Exception {
        if (nsd != null) {
            nsd.close();
        }
    }

    @Test
    void mxHostsComeByPreference() throws Exception {
        assertThat(resolver.mx("example.test"))
                .isEqualTo(new MxAnswer.Hosts(List.of("mx1.example.test", "mx2.example.test", "backup.other.test"), false));
    }

    @Test
    void aDomainWithoutMxIsItsOwnMailHost() throws Exception {
        assertThat(resolver.mx("nomx.example.test")).isEqualTo(new MxAnswer.Hosts(List.of("nomx.example.test"), true));
        assertThat(resolver.addresses("nomx.example.test", false)).containsExactly(InetAddress.getByName("127.0.0.4"));
    }

    @Test
    void nullMxAndNxdomainArePermanent() throws Exception {
        assertThat(resolver.mx("nullmx.example.test")).isInstanceOf(MxAnswer.NullMx.class);
        assertThat(resolver.mx("nowhere.example.test")).isInstanceOf(MxAnswer.NoSuchDomain.class);
    }

    @Test
    void refusedAnswerIsTemporary() {
        // NSD refuses questions outside its zones, as a broken recursive resolver would.
        assertThatThrownBy(() -> resolver.mx("example.org")).isInstanceOf(DnsTemporaryException.class);
    }

    @Test
    void addressesOfBothFamilies() throws Exception {
        assertThat(resolver.addresses("mx2.example.test", true))
                .containsExactly(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.3"));
        assertThat(resolver.addresses("mx2.example.test", false))
                .containsExactly(InetAddress.getByName("127.0.0.3"), InetAddress.getByName("::1"));
        assertThat(resolver.addresses("gone.example.test", false)).isEmpty();
    }

    @Test
    void bothFamiliesAreAskedBeforeEitherAnswer() throws Exception {
        // This server answers only once it holds both questions: asked one after the other, the
        // A question would time out and only the IPv6 address come back.
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread answering = Thread.ofVirtual().start(() -> answerInPairs(server));
            DnsResolver pairs = new DnsResolver(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.getLocalPort())), Duration.ofSeconds(2));
            assertThat(pairs.addresses("both.example.test", false))
                    .containsExactly(InetAddress.getByName("127.0.0.5"), InetAddress.getByName("::5"));
            answering.join();
        }
    }

    private static void answerInPairs(DatagramSocket server) {
        try {
            List<DatagramPacket> held = new ArrayList<>();
            while (held.size() < 2) {
                DatagramPacket packet = new DatagramPacket(new byte[512], 512);
                server.receive(packet);
                held.add(packet);
            }
            for (DatagramPacket packet : held) {
                Message question = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                Record asked = question.getQuestion();
                Message response = new Message(question.getHeader().getID());
                response.getHeader().setFlag(Flags.QR);
                response.getHeader().setFlag(Flags.AA);
                response.addRecord(asked, Section.QUESTION);
                response.addRecord(asked.getType() == Type.A
                        ? new ARecord(asked.getName(), DClass.IN, 300, InetAddress.getByName("127.0.0.5"))
                        : new AAAARecord(asked.getName(), DClass.IN, 300, InetAddress.getByName("::5")), Section.ANSWER);
                byte[] wire = response.toWire();
                server.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void txtStringsOfOneRecordAreJoined() throws Exception {
        assertThat(resolver.txt("key._domainkey.example.test").values()).containsExactly("v=DKIM1; k=rsa; p=AAAA");
    }

    @Test
    void configuredResolverIsUsed() throws Exception {
        Config.Builder b = Config.builder("relay.test");
        b.dnsResolver = nsd.resolverSetting();
        assertThat(DnsResolver.fromConfig(b.build()).mx("example.test")).isInstanceOf(MxAnswer.Hosts.class);
    }

    @Test
    void resolverSettingForms() {
        assertThat(ResolverAddress.parse("127.0.0.1:5353").getPort()).isEqualTo(5353);
        assertThat(ResolverAddress.parse("127.0.0.1").getPort()).isEqualTo(53);
        assertThat(ResolverAddress.parse("[::1]:54").getHostString()).isEqualTo("::1");
        assertThat(ResolverAddress.parse("::1").getHostString()).isEqualTo("::1");
        assertThatThrownBy(() -> ResolverAddress.parse("host:0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cacheAnswersFromMemoryUntilForgottenOrExpired(@TempDir Path own) throws Exception {
        try (NsdServer server = NsdServer.in(own).zone("cache.test", "k._domainkey IN TXT \"v=DKIM1; p=ONE\"").start()) {
            MutableClock clock = new MutableClock();
            DkimKeyCache cache = new DkimKeyCache(server.resolver(Duration.ofMillis(500)), clock, 2,
                    Duration.ofMinutes(1), Duration.ofHours(1));
            assertThat(cache.lookup("k._domainkey.cache.test")).containsExactly("v=DKIM1; p=ONE");

            // With the server down the cached key still answers...
            server.stop();
            assertThat(cache.lookup("k._domainkey.cache.test")).containsExactly("v=DKIM1; p=ONE");
            // ...until a failed verification makes the cache forget it: then DNS is asked again.
            cache.forget("k._domainkey.cache.test");
            assertThatThrownBy(() -> cache.lookup("k._domainkey.cache.test")).isInstanceOf(DnsTemporaryException.class);
            assertThat(cache.contains("k._domainkey.cache.test")).isFalse();

            server.zone("cache.test", "k._domainkey IN TXT \"v=DKIM1; p=TWO\"").start();
            assertThat(cache.lookup("k._domainkey.cache.test")).containsExactly("v=DKIM1; p=TWO");
            // The TTL (300 s in the zone) ends the entry as well.
            server.zone("cache.test", "k._domainkey IN TXT \"v=DKIM1; p=THREE\"").start();
            clock.advance(Duration.ofSeconds(301));
            assertThat(cache.lookup("k._domainkey.cache.test")).containsExactly("v=DKIM1; p=THREE");
        }
    }

    @Test
    void cacheDropsTheLeastRecentlyUsed(@TempDir Path own) throws Exception {
        try (NsdServer server = NsdServer.in(own).zone("lru.test", """
                a IN TXT "A"
                b IN TXT "B"
                c IN TXT "C"
                """).start()) {
            DkimKeyCache cache = new DkimKeyCache(server.resolver(Duration.ofSeconds(2)), new MutableClock(), 2,
                    Duration.ofMinutes(1), Duration.ofHours(1));
            cache.lookup("a.lru.test");
            cache.lookup("b.lru.test");
            cache.lookup("a.lru.test");
            cache.lookup("c.lru.test");
            assertThat(cache.contains("a.lru.test")).isTrue();
            assertThat(cache.contains("b.lru.test")).isFalse();
            assertThat(cache.contains("c.lru.test")).isTrue();
        }
    }
}
