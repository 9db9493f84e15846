package chatmail.migrate;

import chatmail.dkim.DkimKeyFiles;
import chatmail.files.PrivateFiles;
import chatmail.tls.KeyMaterial;
import chatmail.tls.PemFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;

/**
 * The reference relay's keys beside its mail (MIG-1): the DKIM key OpenDKIM signs with
 * ({@code /etc/dkimkeys/<selector>.private}, PKCS#1 or PKCS#8 PEM), so the published DKIM
 * record stays valid, and acmetool's certificate ({@code /var/lib/acme/live/<domain>/fullchain}
 * and {@code privkey}), so the relay has a trusted certificate from the first minute.
 */
public final class KeyImport {
    /** Where an imported certificate and key are kept: {@code <data_dir>/tls/imported/}. */
    public static Path certificateDir(Path dataDir) {
        return dataDir.resolve("tls").resolve("imported");
    }

    private KeyImport() {}

    /** Checks the key and installs it for {@code selector} unless {@code dryRun}. */
    public static void dkim(Path keyFile, Path dataDir, String selector, boolean dryRun, PrintWriter out)
            throws IOException {
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        if (!(key instanceof RSAPrivateKey)) {
            throw new IOException(keyFile + " is not an RSA key");
        }
        if (dryRun) {
            out.println("import-reference: DKIM key " + keyFile + " is readable (selector " + selector + ")");
            return;
        }
        boolean written = DkimKeyFiles.install(dataDir, selector, key);
        out.println("import-reference: DKIM key for selector " + selector
                + (written ? " installed" : " was here already"));
    }

    /**
     * Checks that key and certificate belong together and copies them to
     * {@link #certificateDir}; the relay serves them once {@code tls_external_cert_and_key}
     * names them.
     */
    public static void certificate(Path fullchain, Path keyFile, Path dataDir, boolean dryRun, PrintWriter out)
            throws IOException {
        KeyMaterial material = PemFiles.readKeyMaterial(fullchain, keyFile);
        String subject = material.leaf().getSubjectX500Principal().getName();
        if (dryRun) {
            out.println("import-reference: certificate " + subject + " (valid until " + material.leaf().getNotAfter().toInstant()
                    + ") matches its key");
            return;
        }
        Path dir = certificateDir(dataDir);
        PrivateFiles.createDirectories(dir);
        Path certTarget = dir.resolve("fullchain.pem");
        Path keyTarget = dir.resolve("privkey.pem");
        copy(fullchain, certTarget, false);
        copy(keyFile, keyTarget, true);
        out.println("import-reference: certificate " + subject + " (valid until " + material.leaf().getNotAfter().toInstant()
                + ") copied; to serve it set in chatmail.ini:");
        out.println("  tls_external_cert_and_key = " + certTarget.toAbsolutePath() + " " + keyTarget.toAbsolutePath());
    }

    private static void copy(Path from, Path to, boolean secret) throws IOException {
        byte[] content = Files.readString(from, StandardCharsets.US_ASCII).getBytes(StandardCharsets.US_ASCII);
        Path temporary = to.resolveSibling(to.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (secret) {
            PrivateFiles.createFile(temporary);
        }
        Files.write(temporary, content);
        try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
