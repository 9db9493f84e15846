package chatmail.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The clients of the AOT training run ({@link AotTrainingCommand}): one of each kind a relay
 * serves right after a start, each a few lines over a real socket to the relay's loopback ports.
 * They run in a JVM of their own, so the cache holds only what the relay loaded, not the client
 * side of TLS. Any reply other than the expected one fails the run, so a cache is only made from
 * a relay that worked.
 */
final class TrainingClients {
    private static final int TIMEOUT_MILLIS = 60_000;

    /** Where the relay listens ({@code submissions} → port, …) and the account the clients use. */
    record Target(String host, Map<String, Integer> ports, String domain, String email, String password) {}

    private final Target target;
    private final SSLContext tls;

    TrainingClients(Target target, SSLContext tls) {
        this.target = target;
        this.tls = tls;
    }

    void run() throws IOException {
        submit("first");
        try (Line imap = tls("imaps")) {
            imap.expect("* OK");
            imap.command("a1 LOGIN " + quoted(target.email()) + " " + quoted(target.password()), "a1 OK");
            imap.command("a2 SELECT INBOX", "a2 OK");
            imap.command("a3 FETCH 1 (UID FLAGS RFC822.SIZE BODY.PEEK[])", "a3 OK");
            imap.command("a4 IDLE", "+ ");
            submit("second");
            imap.expect("* 2 EXISTS");
            imap.command("DONE", "a4 OK");
            imap.command("a5 UID STORE 1:* +FLAGS (\\Seen)", "a5 OK");
            imap.command("a6 LOGOUT", "a6 OK");
        }
        try (Line imap = tls("imaps")) {
            // To another relay: the attempt posts it to /mxdeliv, which is this relay again and has
            // no such recipient; the sender gets the bounce.
            imap.expect("* OK");
            imap.command("b1 LOGIN " + quoted(target.email()) + " " + quoted(target.password()), "b1 OK");
            imap.command("b2 SELECT INBOX", "b2 OK");
            imap.command("b3 IDLE", "+ ");
            submit("third", "someone@" + TrainingDns.PEER);
            imap.expect("* 3 EXISTS");
            imap.command("DONE", "b3 OK");
            imap.command("b4 LOGOUT", "b4 OK");
        }
        try (Line mx = plain("smtp")) {
            mx.expect("220 ");
            mx.command("EHLO training.localhost", "250 ");
            mx.command("QUIT", "221 ");
        }
        try (Line submission = plain("submission")) {
            submission.expect("220 ");
            submission.command("EHLO training.localhost", "250 ");
            submission.command("STARTTLS", "220 ");
            try (Line secured = submission.startTls(tls)) {
                secured.command("EHLO training.localhost", "250 ");
                secured.command("QUIT", "221 ");
            }
        }
        try (Line imap = plain("imap")) {
            imap.expect("* OK");
            imap.command("a1 CAPABILITY", "a1 OK");
            imap.command("a2 LOGOUT", "a2 OK");
        }
        try (Line web = plain("http")) {
            web.send("GET / HTTP/1.1\r\nHost: " + target.domain() + "\r\nConnection: close\r\n");
            web.expect("HTTP/1.1 ");
        }
        try (Line web = tls("https")) {
            // The front page: on a self-signed relay a fresh login and its QR code.
            web.send("GET / HTTP/1.1\r\nHost: " + target.domain() + "\r\nConnection: close\r\n");
            web.expect("HTTP/1.1 200");
        }
    }

    /** A message to the account itself over submissions (465): AUTH creates it the first time. */
    private void submit(String subject) throws IOException {
        submit(subject, target.email());
    }

    private void submit(String subject, String recipient) throws IOException {
        String auth = Base64.getEncoder().encodeToString(("\0" + target.email() + "\0" + target.password())
                .getBytes(StandardCharsets.UTF_8));
        try (Line smtp = tls("submissions")) {
            smtp.expect("220 ");
            smtp.command("EHLO training.localhost", "250 ");
            smtp.command("AUTH PLAIN " + auth, "235 ");
            smtp.command("MAIL FROM:<" + target.email() + ">", "250 ");
            smtp.command("RCPT TO:<" + recipient + ">", "250 ");
            smtp.command("DATA", "354 ");
            smtp.command(encryptedMessage(subject) + ".", "250 ");
            smtp.command("QUIT", "221 ");
        }
    }

    /**
     * A Delta Chat message of the ENC-1 shape: PKESK v3 and SEIPD v1 packets around random bytes
     * (the relay looks at the packet structure, it never decrypts), armored, in multipart/encrypted.
     */
    private String encryptedMessage(String subject) {
        SecureRandom random = new SecureRandom();
        ByteArrayOutputStream packets = new ByteArrayOutputStream();
        byte[] sessionKey = new byte[60];
        random.nextBytes(sessionKey);
        sessionKey[0] = 3; // PKESK version 3
        packets.write(0xC1); // new format, tag 1
        packets.write(sessionKey.length);
        packets.writeBytes(sessionKey);
        byte[] data = new byte[2000];
        random.nextBytes(data);
        data[0] = 1; // SEIPD version 1
        packets.write(0xD2); // new format, tag 18, two-octet length
        packets.write(192 + ((data.length - 192) >> 8));
        packets.write((data.length - 192) & 0xFF);
        packets.writeBytes(data);
        String armor = Base64.getMimeEncoder(64, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(packets.toByteArray());
        return "From: <" + target.email() + ">\r\n"
                + "To: <" + target.email() + ">\r\n"
                + "Subject: [...]\r\n"
                + "Message-ID: <" + subject + "." + random.nextLong() + "@" + target.domain() + ">\r\n"
                + "Chat-Version: 1.0\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"b\"\r\n"
                + "\r\n"
                + "--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n"
                + "-----BEGIN PGP MESSAGE-----\r\n\r\n" + armor + "\r\n-----END PGP MESSAGE-----\r\n"
                + "\r\n--b--\r\n";
    }

    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private Line plain(String service) throws IOException {
        Socket socket = new Socket(InetAddress.getByName(target.host()), port(service));
        return new Line(socket);
    }

    private Line tls(String service) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getByName(target.host()), port(service));
        return Line.handshake(socket, target.domain());
    }

    private int port(String service) {
        Integer port = target.ports().get(service);
        if (port == null) {
            throw new IllegalStateException("the training relay has no " + service + " port: " + target.ports());
        }
        return port;
    }

    /** A client context that trusts only the certificate in {@code pem}. */
    static SSLContext trusting(java.nio.file.Path pem) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("relay", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the training relay's certificate", e);
        }
    }

    /** One connection, read and written line by line; every reply is checked. */
    private static final class Line implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Line(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        static Line handshake(SSLSocket socket, String serverName) throws IOException {
            if (serverName != null) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
                socket.setSSLParameters(parameters);
            }
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.startHandshake();
            return new Line(socket);
        }

        Line startTls(SSLContext context) throws IOException {
            SSLSocket secured = (SSLSocket) context.getSocketFactory()
                    .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            return handshake(secured, null);
        }

        void send(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Sends a command and reads replies until one starts with {@code expected}. */
        void command(String command, String expected) throws IOException {
            send(command);
            expect(expected);
        }

        /**
         * Reads lines until one starts with {@code expected}; a final SMTP reply (code and space)
         * or a tagged IMAP reply that is not the expected one fails.
         */
        void expect(String expected) throws IOException {
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed while waiting for " + expected);
                }
                if (line.startsWith(expected)) {
                    return;
                }
                boolean finalSmtp = line.length() >= 4 && Character.isDigit(line.charAt(0)) && line.charAt(3) == ' ';
                boolean taggedImap = line.matches("a\\d+ (NO|BAD) .*");
                if (finalSmtp || taggedImap) {
                    throw new IOException("expected " + expected + " but the relay answered: " + line);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
