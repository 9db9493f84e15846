package chatmail.dns;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.MutableClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery answers a relay keeps (MX, A, AAAA): for their TTL by the injected clock, negative
 * answers for the zone's SOA minimum, TXT never. Each test changes the zone on a real NSD after
 * the first lookup, so an answer that still shows the old records came from the cache.
 */
class DnsCacheTest {

    private static final String SOA = "@ IN SOA ns1.cache.test. hostmaster.cache.test. 1 3600 600 86400 30\n"
            + "@ IN NS ns1.cache.test.\n";

    @TempDir
    Path dir;

    NsdServer nsd;
    MutableClock clock = new MutableClock();
    DnsResolver cached;
    DnsResolver plain;

    @BeforeEach
    void startDns() throws Exception {
        nsd = NsdServer.in(dir).zone("cache.test", SOA + """
                mx1 60 IN A 127.0.0.2
                nomx 600 IN A 127.0.0.4
                long 86400 IN A 127.0.0.6
                key._domainkey 600 IN TXT "v=DKIM1; p=old"
                """).start();
        cached = nsd.resolver(Duration.ofSeconds(2)).cacheDeliveryAnswers(clock);
        plain = nsd.resolver(Duration.ofSeconds(2));
    }

    @AfterEach
    void stopDns() {
        nsd.close();
    }

    private void changeZone(String records) throws Exception {
        nsd.zone("cache.test", SOA + records).start();
    }

    @Test
    void addressesAreKeptForTheirTtlAndAskedAgainAfterIt() throws Exception {
        assertThat(cached.addresses("mx1.cache.test", false)).containsExactly(InetAddress.getByName("127.0.0.2"));
        changeZone("mx1 60 IN A 127.0.0.9\n");
        assertThat(plain.addresses("mx1.cache.test", false)).containsExactly(InetAddress.getByName("127.0.0.9"));

        clock.advance(Duration.ofSeconds(59));
        assertThat(cached.addresses("mx1.cache.test", false)).containsExactly(InetAddress.getByName("127.0.0.2"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(cached.addresses("mx1.cache.test", false)).containsExactly(InetAddress.getByName("127.0.0.9"));
    }

    @Test
    void noDataIsKeptForTheSoaMinimumOnly() throws Exception {
        assertThat(cached.mx("nomx.cache.test")).isEqualTo(new MxAnswer.Hosts(List.of("nomx.cache.test"), true));
        changeZone("nomx 600 IN A 127.0.0.4\nnomx 600 IN MX 10 mx1.cache.test.\nmx1 IN A 127.0.0.2\n");

        clock.advance(Duration.ofSeconds(29));
        assertThat(cached.mx("nomx.cache.test")).isEqualTo(new MxAnswer.Hosts(List.of("nomx.cache.test"), true));
        clock.advance(Duration.ofSeconds(1));
        assertThat(cached.mx("nomx.cache.test")).isEqualTo(new MxAnswer.Hosts(List.of("mx1.cache.test"), false));
    }

    @Test
    void noSuchNameIsKeptForTheSoaMinimumOnly() throws Exception {
        assertThat(cached.mx("new.cache.test")).isEqualTo(new MxAnswer.NoSuchDomain());
        changeZone("new 600 IN A 127.0.0.7\n");

        assertThat(cached.mx("new.cache.test")).isEqualTo(new MxAnswer.NoSuchDomain());
        clock.advance(Duration.ofSeconds(30));
        assertThat(cached.mx("new.cache.test")).isEqualTo(new MxAnswer.Hosts(List.of("new.cache.test"), true));
    }

    @Test
    void aLongTtlIsCutToAnHour() throws Exception {
        assertThat(cached.addresses("long.cache.test", false)).containsExactly(InetAddress.getByName("127.0.0.6"));
        changeZone("long 86400 IN A 127.0.0.8\n");

        clock.advance(DnsResolver.CACHE_MAX_TTL.minusSeconds(1));
        assertThat(cached.addresses("long.cache.test", false)).containsExactly(InetAddress.getByName("127.0.0.6"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(cached.addresses("long.cache.test", false)).containsExactly(InetAddress.getByName("127.0.0.8"));
    }

    @Test
    void dkimKeysAreAlwaysAskedForTheirCacheDropsAFailedKey() throws Exception {
        assertThat(cached.txt("key._domainkey.cache.test").values()).containsExactly("v=DKIM1; p=old");
        changeZone("key._domainkey 600 IN TXT \"v=DKIM1; p=new\"\n");
        assertThat(cached.txt("key._domainkey.cache.test").values()).containsExactly("v=DKIM1; p=new");
    }

    @Test
    void temporaryFailuresAreNotKept() throws Exception {
        nsd.stop();
        DnsResolver quick = nsd.resolver(Duration.ofMillis(300)).cacheDeliveryAnswers(clock);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> quick.mx("mx1.cache.test"))
                .isInstanceOf(DnsTemporaryException.class);
        nsd.start();
        assertThat(quick.mx("mx1.cache.test")).isEqualTo(new MxAnswer.Hosts(List.of("mx1.cache.test"), true));
    }
}
