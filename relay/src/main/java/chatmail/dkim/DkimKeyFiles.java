package chatmail.dkim;

import chatmail.files.PrivateFiles;
import chatmail.tls.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;

/**
 * The DKIM key on disk: {@code <data_dir>/dkim/<selector>.private} (PKCS#8 PEM, mode 0600),
 * generated once (RSA 2048) and kept, because the public half is published in DNS and a new
 * key would break every signature until the operator updates the zone. Next to it
 * {@code <selector>.txt} holds the TXT value for the operator; {@code chatmail dns} prints it too.
 */
public final class DkimKeyFiles {

    private static final int RSA_BITS = 2048;

    private DkimKeyFiles() {}

    public static Path directory(Path dataDir) {
        return dataDir.resolve("dkim");
    }

    /** Reads the key for {@code selector}, generating and storing it first when there is none. */
    public static DkimKey loadOrGenerate(Path dataDir, String selector) {
        if (!selector.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("dkim_selector must be a DNS label: " + selector);
        }
        Path dir = directory(dataDir);
        Path keyFile = dir.resolve(selector + ".private");
        try {
            if (!Files.exists(keyFile)) {
                generate(dir, keyFile);
            }
            DkimKey key = new DkimKey(selector, PemFiles.readPrivateKey(keyFile), null);
            key = new DkimKey(selector, key.privateKey(), publicOf(key.privateKey()));
            Path txt = dir.resolve(selector + ".txt");
            String record = key.txtValue() + "\n";
            if (!Files.exists(txt) || !Files.readString(txt, StandardCharsets.US_ASCII).equals(record)) {
                writeAtomically(txt, record, false);
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("DKIM key " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Installs a key moved from another server (MIG-1) for {@code selector}, so the DKIM record
     * already published stays valid. Returns false when this very key is there already; a
     * different key there is never replaced (its record is what DNS publishes).
     */
    public static boolean install(Path dataDir, String selector, PrivateKey key) throws IOException {
        if (!selector.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("dkim_selector must be a DNS label: " + selector);
        }
        RSAPublicKey publicKey = publicOf(key);
        Path dir = directory(dataDir);
        Path keyFile = dir.resolve(selector + ".private");
        if (Files.exists(keyFile)) {
            if (publicOf(PemFiles.readPrivateKey(keyFile)).getModulus().equals(publicKey.getModulus())) {
                return false;
            }
            throw new IOException(keyFile + " holds another DKIM key; move it away first if the imported one"
                    + " is the one DNS publishes");
        }
        PrivateFiles.createDirectories(dir);
        Path temporary = dir.resolve(keyFile.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        writeFile(temporary, PemFiles.toPem(key), true);
        try {
            Files.createLink(keyFile, temporary);
        } finally {
            Files.deleteIfExists(temporary);
        }
        loadOrGenerate(dataDir, selector);
        return true;
    }

    private static void generate(Path dir, Path keyFile) throws IOException {
        PrivateFiles.createDirectories(dir);
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(RSA_BITS);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate RSA keys", e);
        }
        Path temporary = dir.resolve(keyFile.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        writeFile(temporary, PemFiles.toPem(pair.getPrivate()), true);
        try {
            // A concurrent start (relay and `chatmail dns` at once) must not replace a published key.
            Files.createLink(keyFile, temporary);
        } catch (FileAlreadyExistsException other) {
            // the other one won; use its key
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static RSAPublicKey publicOf(PrivateKey key) throws IOException {
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new IOException("not an RSA private key with CRT parameters");
        }
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the public key: " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        writeFile(temporary, content, secret);
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeFile(Path file, String content, boolean secret) throws IOException {
        if (secret) {
            PrivateFiles.createFile(file);
            Files.writeString(file, content, StandardCharsets.US_ASCII);
        } else {
            Files.writeString(file, content, StandardCharsets.US_ASCII);
        }
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }
}
