package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.testing.TestCa;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The /mxdeliv client against a real HTTPS server (DLV-2 outcome table). */
class MxDelivClientTest {

    static TestCa ca;
    static MxDelivTestServer server;
    static MxDelivClient client;
    /** The test server is on the loopback address; "localhost" is the name its certificate has. */
    static final MxDelivClient.HostResolver LOCALHOST = host -> List.of(InetAddress.getLoopbackAddress());
    static final byte[] MESSAGE = "Subject: [...]\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create("mxdeliv test CA");
        server = new MxDelivTestServer(ca.issue("localhost").serverContext());
        client = new MxDelivClient(trusting(ca), SSLContext.getDefault(), LOCALHOST, server.port(),
                Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    static SSLContext trusting(TestCa authority) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", authority.issue("unused").issuer());
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @BeforeEach
    void reset() {
        server.requests.clear();
    }

    MxDelivOutcome post(String sender, String... recipients) throws Exception {
        return client.post("localhost", true, sender, List.of(recipients), MESSAGE);
    }

    @Test
    void deliveredWithEnvelopeInHeadersAndRawBody() throws Exception {
        server.responder = r -> new MxDelivTestServer.Answer(200, "250 2.0.0 Ok");
        assertThat(post("alice@a.test", "bob@b.test", "carol@b.test")).isInstanceOf(MxDelivOutcome.Delivered.class);
        MxDelivTestServer.Request request = server.requests.getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.mailFrom()).isEqualTo("alice@a.test");
        assertThat(request.mailTo()).containsExactly("bob@b.test", "carol@b.test");
        assertThat(request.body()).isEqualTo(MESSAGE);
    }

    @Test
    void startingTheClientEarlyContactsNobodyAndItPostsAfterwards() throws Exception {
        server.responder = r -> new MxDelivTestServer.Answer(200, "250 2.0.0 Ok");
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        try (MxDelivClient early = new MxDelivClient(trusting(ca), SSLContext.getDefault(), host -> {
            lookups.incrementAndGet();
            return LOCALHOST.addresses(host);
        }, server.port(), Duration.ofSeconds(10), Duration.ofSeconds(30))) {
            early.start();
            assertThat(lookups).as("the warm-up resolves nothing").hasValue(0);
            assertThat(server.requests).as("and connects nowhere").isEmpty();
            assertThat(early.post("localhost", true, "alice@a.test", List.of("bob@b.test"), MESSAGE))
                    .isInstanceOf(MxDelivOutcome.Delivered.class);
            assertThat(lookups).hasValue(1);
        }
    }

    @Test
    void theWarmUpExchangeGoesToTheGivenAddressWithoutResolvingAndNamesNoRecipient() throws Exception {
        server.responder = r -> new MxDelivTestServer.Answer(400, "554 5.5.1 No valid recipients");
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        try (MxDelivClient early = new MxDelivClient(trusting(ca), SSLContext.getDefault(), host -> {
            lookups.incrementAndGet();
            throw new java.net.UnknownHostException("nothing is resolved for the warm-up");
        }, 1, Duration.ofSeconds(10), Duration.ofSeconds(30))) {
            // An address without a name (as a listen address is): the certificate is checked
            // against the name given, not against the address.
            InetAddress unnamed = InetAddress.getByAddress(InetAddress.getLoopbackAddress().getAddress());
            early.exchangeWithSelf(new java.net.InetSocketAddress(unnamed, server.port()), "localhost");
        }
        assertThat(lookups).hasValue(0);
        assertThat(server.requests).hasSize(1);
        assertThat(server.requests.getFirst().method()).isEqualTo("POST");
        assertThat(server.requests.getFirst().mailTo()).as("the receiver refuses it before the body").isEmpty();
    }

    @Test
    void aQueuedBodyArrivesWholeFromMemoryAndFromAStream() throws Exception {
        server.responder = r -> new MxDelivTestServer.Answer(200, "250 2.0.0 Ok");
        chatmail.store.MessageBody streamed = new chatmail.store.MessageBody() {
            @Override
            public long size() {
                return MESSAGE.length;
            }

            @Override
            public java.io.InputStream openStream() {
                return new java.io.ByteArrayInputStream(MESSAGE);
            }
        };
        for (chatmail.store.MessageBody body : List.of(chatmail.store.MessageBody.of(MESSAGE), streamed)) {
            server.requests.clear();
            assertThat(client.post("localhost", true, "alice@a.test", List.of("bob@b.test"), body, Duration.ofSeconds(30)))
                    .isInstanceOf(MxDelivOutcome.Delivered.class);
            assertThat(server.requests.getFirst().body()).as(body.toString()).isEqualTo(MESSAGE);
        }
    }

    @Test
    void nullSenderHasNoMailFromHeader() throws Exception {
        post("", "bob@b.test");
        assertThat(server.requests.getFirst().mailFrom()).isNull();
    }

    @Test
    void permanentRefusalNamingARecipientIsFinalForThatOne() throws Exception {
        server.responder = r -> new MxDelivTestServer.Answer(400, "550 5.1.1 <carol@b.test> No such user");
        assertThat(post("alice@a.test", "bob@b.test", "carol@b.test"))
                .isEqualTo(new MxDelivOutcome.Refused("550 5.1.1 <carol@b.test> No such user", "carol@b.test"));
    }

    @Test
    void permanentRefusalNamingNobodyIsFinalForAll() throws Exception {
        server.responder = r -> new MxDelivTestServer.Answer(400, "554 5.7.1 No valid DKIM signature found");
        assertThat(post("alice@a.test", "bob@b.test"))
                .isEqualTo(new MxDelivOutcome.Refused("554 5.7.1 No valid DKIM signature found", null));
    }

    @Test
    void temporaryAnswers() throws Exception {
        server.responder = r -> new MxDelivTestServer.Answer(400, "450 4.2.0 Mailbox busy");
        assertThat(post("alice@a.test", "bob@b.test")).isInstanceOf(MxDelivOutcome.Temporary.class);
        server.responder = r -> new MxDelivTestServer.Answer(503, "451 4.3.0 Temporary local problem, try again later");
        assertThat(post("alice@a.test", "bob@b.test")).isInstanceOf(MxDelivOutcome.Temporary.class);
    }

    @Test
    void anythingElseMeansNoMxDeliv() throws Exception {
        for (int status : new int[] {404, 405, 500, 301}) {
            server.responder = r -> new MxDelivTestServer.Answer(status, "nope");
            assertThat(post("alice@a.test", "bob@b.test")).as("HTTP %d", status).isInstanceOf(MxDelivOutcome.NotAvailable.class);
        }
        server.responder = r -> new MxDelivTestServer.Answer(400, "bad request");
        assertThat(post("alice@a.test", "bob@b.test")).isInstanceOf(MxDelivOutcome.NotAvailable.class);
    }

    @Test
    void untrustedCertificateMeansNoMxDeliv() throws Exception {
        try (MxDelivClient strict = new MxDelivClient(trusting(TestCa.create("another CA")), SSLContext.getDefault(),
                LOCALHOST, server.port(), Duration.ofSeconds(10), Duration.ofSeconds(30))) {
            assertThat(strict.post("localhost", true, "alice@a.test", List.of("bob@b.test"), MESSAGE))
                    .isInstanceOf(MxDelivOutcome.NotAvailable.class);
        }
        assertThat(server.requests).isEmpty();
    }

    @Test
    void noListenerMeansNoMxDeliv() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (MxDelivClient toClosed = new MxDelivClient(trusting(ca), SSLContext.getDefault(), LOCALHOST, closed,
                Duration.ofSeconds(10), Duration.ofSeconds(30))) {
            assertThat(toClosed.post("localhost", true, "alice@a.test", List.of("bob@b.test"), MESSAGE))
                    .isInstanceOf(MxDelivOutcome.NotAvailable.class);
        }
    }

    @Test
    void classificationTable() {
        List<String> rcpts = List.of("bob@b.test", "carol@b.test");
        assertThat(MxDelivClient.classify(200, "", rcpts)).isInstanceOf(MxDelivOutcome.Delivered.class);
        assertThat(MxDelivClient.classify(204, "", rcpts)).isInstanceOf(MxDelivOutcome.Delivered.class);
        assertThat(MxDelivClient.classify(400, "552 5.2.2 Mailbox full: BOB@b.test\n", rcpts))
                .isEqualTo(new MxDelivOutcome.Refused("552 5.2.2 Mailbox full: BOB@b.test", "bob@b.test"));
        assertThat(MxDelivClient.classify(503, "", rcpts)).isInstanceOf(MxDelivOutcome.Temporary.class);
        assertThat(MxDelivClient.classify(413, "552 5.3.4 Message exceeds maximum size", rcpts))
                .isInstanceOf(MxDelivOutcome.NotAvailable.class);
    }
}
