package chatmail.account;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers recent successful logins so that reconnects (Delta Chat reconnects often) skip the
 * deliberately slow SHA512-CRYPT. It keeps, per address, an HMAC of the password under a key
 * that exists only in this process's memory, bound to the stored hash it was checked against.
 * A cache hit therefore proves the same password as a full check would; a changed stored hash
 * or a wrong password falls through to the full check.
 */
final class VerifiedLoginCache {

    private record CachedLogin(byte[] storedHashDigest, byte[] passwordMac, Instant expires) {}

    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration ttl;
    private final int capacity;
    private final Map<String, CachedLogin> entries;

    VerifiedLoginCache(Clock clock, Duration ttl, int capacity) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.clock = clock;
        this.ttl = ttl;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CachedLogin> eldest) {
                return size() > VerifiedLoginCache.this.capacity;
            }
        };
    }

    boolean matches(String address, String password, String storedHash) {
        CachedLogin e;
        synchronized (entries) {
            e = entries.get(address);
        }
        if (e == null || clock.instant().isAfter(e.expires)) {
            return false;
        }
        return MessageDigest.isEqual(e.storedHashDigest, digest(storedHash))
                && MessageDigest.isEqual(e.passwordMac, mac(address, password));
    }

    void remember(String address, String password, String storedHash) {
        CachedLogin e = new CachedLogin(digest(storedHash), mac(address, password), clock.instant().plus(ttl));
        synchronized (entries) {
            entries.put(address, e);
        }
    }

    void forget(String address) {
        synchronized (entries) {
            entries.remove(address);
        }
    }

    private byte[] mac(String address, String password) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(address.getBytes(StandardCharsets.UTF_8));
            m.update((byte) 0);
            return m.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
