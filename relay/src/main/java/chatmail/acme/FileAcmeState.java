package chatmail.acme;

import chatmail.files.PrivateFiles;
import chatmail.tls.KeyMaterial;
import chatmail.tls.PemFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ACME state of a single-node relay in {@code data_dir/acme/} (0700): {@code account.pem} (the
 * account's private and public key), {@code account.url} (the CA's directory URL, then the
 * account URL), {@code cert.pem} (chain) and {@code key.pem}, each 0600 and replaced
 * atomically. Pending challenges live in memory: they matter for the seconds an order takes,
 * and an order a restart interrupts is simply placed again.
 */
public final class FileAcmeState implements AcmeState {

    private final Path directory;
    private final Map<String, String> http01 = new ConcurrentHashMap<>();
    private final Map<String, byte[]> tlsAlpn01 = new ConcurrentHashMap<>();

    public FileAcmeState(Path dataDir) {
        this.directory = dataDir.resolve("acme");
    }

    public Path directory() {
        return directory;
    }

    public Path certificateFile() {
        return directory.resolve("cert.pem");
    }

    public Path keyFile() {
        return directory.resolve("key.pem");
    }

    public Path accountKeyFile() {
        return directory.resolve("account.pem");
    }

    private Path accountUrlFile() {
        return directory.resolve("account.url");
    }

    @Override
    public Optional<AcmeAccount> account() throws IOException {
        if (!Files.exists(accountKeyFile())) {
            return Optional.empty();
        }
        String pem = Files.readString(accountKeyFile(), StandardCharsets.US_ASCII);
        KeyPair keys = new KeyPair(PemFiles.readPublicKey(pem), PemFiles.readPrivateKey(pem));
        if (!Files.exists(accountUrlFile())) {
            throw new IOException(accountUrlFile() + " is missing");
        }
        List<String> lines = Files.readAllLines(accountUrlFile(), StandardCharsets.US_ASCII);
        try {
            URI directory = new URI(lines.getFirst().strip());
            Optional<URL> location = lines.size() < 2 || lines.get(1).isBlank()
                    ? Optional.empty() : Optional.of(new URI(lines.get(1).strip()).toURL());
            return Optional.of(new AcmeAccount(keys, directory, location));
        } catch (URISyntaxException | IllegalArgumentException | java.util.NoSuchElementException
                | java.net.MalformedURLException e) {
            throw new IOException(accountUrlFile() + " holds no directory and account URL", e);
        }
    }

    @Override
    public void saveAccount(AcmeAccount account) throws IOException {
        PrivateFiles.createDirectories(directory);
        // Both halves: the JDK's PKCS#8 form of an EC key does not carry the public key.
        PrivateFiles.writeAtomically(accountKeyFile(), PemFiles.toPem(account.keys().getPrivate(), account.keys().getPublic()));
        PrivateFiles.writeAtomically(accountUrlFile(), account.directory() + "\n"
                + account.location().map(u -> u.toExternalForm() + "\n").orElse(""));
    }

    @Override
    public Optional<KeyMaterial> certificate() throws IOException {
        if (!Files.exists(certificateFile()) || !Files.exists(keyFile())) {
            return Optional.empty();
        }
        return Optional.of(PemFiles.readKeyMaterial(certificateFile(), keyFile()));
    }

    @Override
    public void saveCertificate(KeyMaterial certificate) throws IOException {
        PrivateFiles.createDirectories(directory);
        // Key first: a crash between the two leaves a pair that does not match, which the next
        // start notices (and orders again) rather than serving a certificate without its key.
        PrivateFiles.writeAtomically(keyFile(), PemFiles.toPem(certificate.privateKey()));
        PrivateFiles.writeAtomically(certificateFile(), PemFiles.toPem(certificate.chain().toArray()));
    }

    @Override
    public void publish(PendingChallenge challenge) {
        switch (challenge) {
            case PendingChallenge.Http01 h -> http01.put(h.token(), h.keyAuthorization());
            case PendingChallenge.TlsAlpn01 t -> tlsAlpn01.put(t.name().toLowerCase(Locale.ROOT), t.validation());
        }
    }

    @Override
    public void withdraw(PendingChallenge challenge) {
        switch (challenge) {
            case PendingChallenge.Http01 h -> http01.remove(h.token());
            case PendingChallenge.TlsAlpn01 t -> tlsAlpn01.remove(t.name().toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public Optional<String> http01(String token) {
        return Optional.ofNullable(http01.get(token));
    }

    @Override
    public Optional<byte[]> tlsAlpn01(String name) {
        return Optional.ofNullable(tlsAlpn01.get(name.toLowerCase(Locale.ROOT))).map(byte[]::clone);
    }
}
