package chatmail.acme;

import chatmail.store.StoreException;
import chatmail.store.postgresql.PostgresDatabase;
import chatmail.tls.KeyMaterial;
import chatmail.tls.PemFiles;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * ACME state of a relay of several nodes in the shared PostgreSQL database (SCALE-2): the
 * account, the certificate with its key (PEM text, as the files of {@link FileAcmeState} hold it)
 * and the pending challenges. Challenges are rows, read at every question: the CA may ask any
 * node behind the load balancer, and the ordering node writes the row (committed) before it
 * asks the CA to check, so whichever node the CA reaches already sees it.
 */
public final class PostgresAcmeState implements AcmeState {
    private static final String HTTP01 = "http-01";
    private static final String TLS_ALPN01 = "tls-alpn-01";

    private final PostgresDatabase db;

    public PostgresAcmeState(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public Optional<AcmeAccount> account() throws IOException {
        record Row(String keyPem, String directory, String location) {}
        Optional<Row> row = io(() -> db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT key_pem, directory, location FROM acme_account");
                    ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        }));
        if (row.isEmpty()) {
            return Optional.empty();
        }
        KeyPair keys = new KeyPair(PemFiles.readPublicKey(row.get().keyPem()), PemFiles.readPrivateKey(row.get().keyPem()));
        try {
            return Optional.of(new AcmeAccount(keys, new URI(row.get().directory()),
                    row.get().location() == null ? Optional.empty() : Optional.of(new URI(row.get().location()).toURL())));
        } catch (URISyntaxException | IllegalArgumentException | MalformedURLException e) {
            throw new IOException("the stored ACME account holds no directory and account URL", e);
        }
    }

    @Override
    public void saveAccount(AcmeAccount account) throws IOException {
        // Both halves: the JDK's PKCS#8 form of an EC key does not carry the public key.
        String pem = PemFiles.toPem(account.keys().getPrivate(), account.keys().getPublic());
        io(() -> db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO acme_account (id, key_pem, directory, location) VALUES (1, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET key_pem = excluded.key_pem, directory = excluded.directory,
                        location = excluded.location""")) {
                s.setString(1, pem);
                s.setString(2, account.directory().toString());
                s.setString(3, account.location().map(java.net.URL::toExternalForm).orElse(null));
                return s.executeUpdate();
            }
        }));
    }

    @Override
    public Optional<KeyMaterial> certificate() throws IOException {
        record Row(String chainPem, String keyPem) {}
        Optional<Row> row = io(() -> db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT chain_pem, key_pem FROM acme_certificate");
                    ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }));
        if (row.isEmpty()) {
            return Optional.empty();
        }
        KeyMaterial material = new KeyMaterial(PemFiles.readPrivateKey(row.get().keyPem()),
                PemFiles.readCertificates(row.get().chainPem()));
        try {
            material.checkKeyMatchesCertificate();
        } catch (GeneralSecurityException e) {
            throw new IOException("the stored ACME certificate does not match its key: " + e.getMessage(), e);
        }
        return Optional.of(material);
    }

    @Override
    public void saveCertificate(KeyMaterial certificate) throws IOException {
        String chain = PemFiles.toPem(certificate.chain().toArray());
        String key = PemFiles.toPem(certificate.privateKey());
        // Chain and key in one row, one statement: no node ever reads one without the other.
        io(() -> db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO acme_certificate (id, version, chain_pem, key_pem) VALUES (1, 1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET version = acme_certificate.version + 1,
                        chain_pem = excluded.chain_pem, key_pem = excluded.key_pem""")) {
                s.setString(1, chain);
                s.setString(2, key);
                return s.executeUpdate();
            }
        }));
    }

    @Override
    public long certificateVersion() throws IOException {
        return io(() -> db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT version FROM acme_certificate");
                    ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }));
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** Committed when this returns: the CA is asked to check only after. */
    @Override
    public void publish(PendingChallenge challenge) {
        db.transaction(c -> {
            // Rows an order left behind when its node died: long past any CA's check.
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM acme_challenges WHERE published_at < now() - interval '1 day'")) {
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO acme_challenges (kind, name, answer) VALUES (?, ?, ?)
                    ON CONFLICT (kind, name) DO UPDATE SET answer = excluded.answer, published_at = now()""")) {
                bindKey(s, challenge);
                s.setString(3, switch (challenge) {
                    case PendingChallenge.Http01 h -> h.keyAuthorization();
                    case PendingChallenge.TlsAlpn01 t -> Base64.getEncoder().encodeToString(t.validation());
                });
                return s.executeUpdate();
            }
        });
    }

    @Override
    public void withdraw(PendingChallenge challenge) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM acme_challenges WHERE kind = ? AND name = ?")) {
                bindKey(s, challenge);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> http01(String token) {
        return answer(HTTP01, token);
    }

    @Override
    public Optional<byte[]> tlsAlpn01(String name) {
        return answer(TLS_ALPN01, name.toLowerCase(Locale.ROOT)).map(Base64.getDecoder()::decode);
    }

    private Optional<String> answer(String kind, String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT answer FROM acme_challenges WHERE kind = ? AND name = ?")) {
                s.setString(1, kind);
                s.setString(2, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    private static void bindKey(PreparedStatement s, PendingChallenge challenge) throws java.sql.SQLException {
        switch (challenge) {
            case PendingChallenge.Http01 h -> {
                s.setString(1, HTTP01);
                s.setString(2, h.token());
            }
            case PendingChallenge.TlsAlpn01 t -> {
                s.setString(1, TLS_ALPN01);
                s.setString(2, t.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    /** The database's failure as the IOException the worker expects of its state. */
    private static <T> T io(java.util.function.Supplier<T> work) throws IOException {
        try {
            return work.get();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
