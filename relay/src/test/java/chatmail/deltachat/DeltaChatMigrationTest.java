package chatmail.deltachat;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.cli.Main;
import chatmail.imap.ImapPort;
import chatmail.limits.Admission;
import chatmail.migrate.ReferenceDovecot;
import chatmail.migrate.ReferenceTrees;
import chatmail.net.Transport;
import chatmail.testing.MutableClock;
import chatmail.testing.TestRelay;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIG-1 with the real Delta Chat core: a profile configured against the reference relay's Dovecot
 * (IMAPS, and submission relaying to an SMTP sink) downloads some messages there; Dovecot stops,
 * the import runs, and this relay takes over the same address and ports. The profile carries on
 * without reconfiguration and receives exactly the messages it had not downloaded. The core drops
 * a duplicate Message-ID silently, so what this relay served is checked on the wire: the
 * connection on the profile's IMAPS port is accepted here, recorded, and handed to the relay's own
 * IMAP engine ({@code ImapServer.serve}, as the port-443 router does); every {@code BODY[]} it
 * sent must be of a new UID.
 */
@Tag("deltachat")
class DeltaChatMigrationTest {
    private static final String DOMAIN = TestRelay.DOMAIN;

    @TempDir
    Path dir;

    @Test
    void aProfileCarriesOnAfterTheMoveAndReceivesExactlyWhatItHadNotDownloaded() throws Exception {
        String address = "127.0.0." + ThreadLocalRandom.current().nextInt(100, 250);
        int imaps = ReferenceDovecot.freePort(address);
        int submissions = ReferenceDovecot.freePort(address);
        String user = "migrant1@" + DOMAIN;
        String password = "the old password";
        try (SmtpSink sink = SmtpSink.start();
                ReferenceDovecot dovecot = ReferenceDovecot.create(DOMAIN, address, imaps, submissions, sink.port());
                DeltaChatCore core = DeltaChatCore.start(dir.resolve("client"), DcTimeouts.defaults())) {
            String hash = dovecot.addUser(user, password);
            dovecot.start();
            DeltaChatProfile profile = DeltaChatProfile.create(core, "migrant");
            // The test's messages are cleartext chat messages (LMTP into Dovecot, as Postfix delivers).
            profile.setConfig("force_encryption", "0");
            profile.configure(new LoginParams(user, password, address, imaps, LoginParams.Security.SSL,
                    submissions, LoginParams.Security.SSL));

            int before = profile.mark();
            for (int i = 1; i <= 3; i++) {
                dovecot.deliver(user, chatMessage(user, "before the move " + i));
            }
            for (int i = 1; i <= 3; i++) {
                profile.awaitIncomingText(before, "before the move " + i);
            }
            profile.stopIo();
            for (int i = 1; i <= 2; i++) {
                dovecot.deliver(user, chatMessage(user, "while moving " + i));
            }
            Path mailboxes = dovecot.mailboxes();
            ReferenceTrees.writePassword(mailboxes.resolve(user), hash, Instant.now());
            dovecot.stop();

            Path data = dir.resolve("data");
            Path ini = Files.writeString(dir.resolve("chatmail.ini"),
                    "[params]\nmail_domain = " + DOMAIN + "\ndata_dir = " + data + "\n");
            StringWriter out = new StringWriter();
            int exit = Main.execute(new PrintWriter(out), new PrintWriter(out), "import-reference", "--config",
                    ini.toString(), "--mailboxes", mailboxes.toString());
            assertThat(exit).as(out.toString()).isZero();

            try (TestRelay relay = TestRelay.startOnConfiguredPorts(DOMAIN, data, new MutableClock(Instant.now()), b -> {
                        b.listenAddresses = List.of(address);
                        b.submissionsPort = submissions;
                        b.smtpPort = 0;
                        b.submissionPort = 0;
                        b.imapPort = 0;
                        b.imapsPort = 0; // the recording acceptor below takes the profile's IMAPS port
                        b.httpPort = 0;
                        b.httpsPort = 0;
                    });
                    RecordingImaps wire = RecordingImaps.start(relay, address, imaps)) {
                int after = profile.mark();
                profile.startIo();
                for (int i = 1; i <= 2; i++) {
                    profile.awaitIncomingText(after, "while moving " + i, profile.timeouts().reconnect());
                }
                assertThat(profile.events().since(after)).filteredOn(e -> e.is("ConfigureProgress"))
                        .as("no reconfiguration").isEmpty();
                assertThat(profile.events().since(after)).filteredOn(e -> e.is("IncomingMsg")).hasSize(2);
                assertThat(wire.uidsServedWithBody()).as("UIDs this relay sent with BODY[]").containsExactly(4L, 5L);
                assertThat(wire.clientCommands()).as("the core's body fetches peek")
                        .noneMatch(c -> c.toUpperCase().matches(".*FETCH.*BODY\\[\\].*"));
            }
        }
    }

    private static byte[] chatMessage(String to, String text) {
        String id = text.replace(' ', '-') + "@example.org";
        return ("From: Sender <sender@example.org>\r\nTo: <" + to + ">\r\nSubject: [...]\r\n"
                + "Date: Wed, 26 Nov 2025 08:00:00 +0000\r\nMessage-ID: <" + id + ">\r\nChat-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * IMAPS on the profile's port, served by the relay's own IMAP engine, with both directions
     * copied for the test to read.
     */
    private static final class RecordingImaps implements AutoCloseable {
        private static final Pattern FETCH_WITH_BODY = Pattern.compile("^\\* \\d+ FETCH \\((.*)$");
        private static final Pattern UID = Pattern.compile("\\bUID (\\d+)\\b");
        private final ServerSocket server;
        private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
        private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
        private final Thread acceptor;

        private RecordingImaps(TestRelay relay, ServerSocket server) {
            this.server = server;
            SSLContext tls = relay.relay().tls().serverContext();
            this.acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    Socket plain;
                    try {
                        plain = server.accept();
                    } catch (IOException closed) {
                        return;
                    }
                    Thread.ofVirtual().start(() -> serve(relay, tls, plain));
                }
            });
        }

        static RecordingImaps start(TestRelay relay, String address, int port) throws IOException {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(address, port));
            return new RecordingImaps(relay, server);
        }

        private void serve(TestRelay relay, SSLContext tls, Socket plain) {
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true)) {
                socket.setUseClientMode(false);
                socket.startHandshake();
                relay.relay().imap().serve(ImapPort.IMAPS, new Recorded(socket, fromClient, toClient, new AtomicReference<>(Admission.unlimited())));
            } catch (IOException e) {
                // the client went away
            }
        }

        /** UIDs of every FETCH response that carried a whole message ({@code BODY[]}). */
        Set<Long> uidsServedWithBody() {
            Set<Long> uids = new TreeSet<>();
            for (String line : lines(toClient)) {
                Matcher fetch = FETCH_WITH_BODY.matcher(line);
                if (fetch.matches() && fetch.group(1).contains("BODY[] {")) {
                    Matcher uid = UID.matcher(fetch.group(1));
                    if (uid.find()) {
                        uids.add(Long.parseLong(uid.group(1)));
                    }
                }
            }
            return uids;
        }

        List<String> clientCommands() {
            return lines(fromClient);
        }

        private static List<String> lines(ByteArrayOutputStream bytes) {
            synchronized (bytes) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(
                        new java.io.ByteArrayInputStream(bytes.toByteArray()), StandardCharsets.ISO_8859_1))) {
                    return r.lines().toList();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** The relay's view of a recorded connection: already in TLS (port 993 style). */
    private record Recorded(SSLSocket socket, ByteArrayOutputStream fromClient, ByteArrayOutputStream toClient,
            AtomicReference<Admission> limits) implements Transport {
        @Override
        public Admission admission() {
            return limits.get();
        }

        @Override
        public void bind(Admission admission) {
            limits.set(admission);
        }

        @Override
        public void abort() {
            close();
        }

        @Override
        public InputStream in() throws IOException {
            return new FilterInputStream(socket.getInputStream()) {
                @Override
                public int read() throws IOException {
                    int c = super.read();
                    if (c >= 0) {
                        synchronized (fromClient) {
                            fromClient.write(c);
                        }
                    }
                    return c;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        synchronized (fromClient) {
                            fromClient.write(b, off, n);
                        }
                    }
                    return n;
                }
            };
        }

        @Override
        public OutputStream out() throws IOException {
            return new FilterOutputStream(socket.getOutputStream()) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    synchronized (toClient) {
                        toClient.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    synchronized (toClient) {
                        toClient.write(b, off, len);
                    }
                }
            };
        }

        @Override
        public void startTls() {
            throw new IllegalStateException("already TLS");
        }

        @Override
        public boolean isTls() {
            return true;
        }

        @Override
        public void setReadTimeout(Duration timeout) throws IOException {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        }

        @Override
        public InetAddress peer() {
            return socket.getInetAddress();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** An SMTP server that accepts everything and keeps nothing: where Dovecot's submission relays. */
    private static final class SmtpSink implements AutoCloseable {
        private final ServerSocket server;

        private SmtpSink(ServerSocket server) {
            this.server = server;
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> session(s));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        static SmtpSink start() throws IOException {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            return new SmtpSink(server);
        }

        int port() {
            return server.getLocalPort();
        }

        private static void session(Socket s) {
            try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    OutputStream out = s.getOutputStream()) {
                reply(out, "220 sink ESMTP");
                String line;
                boolean data = false;
                while ((line = in.readLine()) != null) {
                    if (data) {
                        if (line.equals(".")) {
                            data = false;
                            reply(out, "250 2.0.0 Ok");
                        }
                        continue;
                    }
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                    switch (verb) {
                        case "EHLO", "LHLO" -> reply(out, "250-sink\r\n250 8BITMIME");
                        case "DATA" -> {
                            data = true;
                            reply(out, "354 go ahead");
                        }
                        case "QUIT" -> {
                            reply(out, "221 bye");
                            return;
                        }
                        default -> reply(out, "250 2.0.0 Ok");
                    }
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }

        private static void reply(OutputStream out, String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
