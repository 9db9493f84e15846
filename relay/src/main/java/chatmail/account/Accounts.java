package chatmail.account;

import chatmail.config.Config;
import chatmail.limits.ClientKey;
import chatmail.limits.HashingPool;
import chatmail.metrics.AccountRefusal;
import chatmail.metrics.LoginService;
import chatmail.metrics.Metrics;
import chatmail.store.Account;
import chatmail.store.LoginRecord;
import chatmail.store.MailStore;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Logins for IMAP and SMTP: checks a password, and creates the account on its first
 * successful-looking login (SPEC ACC-1 … ACC-3, ACC-5, ACC-6). Every failure looks the same
 * to the client. SHA512-CRYPT runs on the limits layer's hashing pool, one hash per client at a
 * time, and never for a password over {@link #MAX_PASSWORD_BYTES} (SEC-2). A login whose stored
 * verifier matches ({@link LoginVerifiers}) needs no hash at all, also after a restart.
 */
public final class Accounts {

    /**
     * SEC-2: longer passwords are refused unhashed. SHA512-CRYPT's cost grows with the square of
     * the password's length (8000 bytes: 0.18 s of CPU); generated ones have 12 characters.
     */
    public static final int MAX_PASSWORD_BYTES = 256;

    private final MailStore store;
    private final AddressRules rules;
    private final CreationGuard guard;
    private final PasswordHasher hasher = new PasswordHasher();
    private final HashingPool pool;
    private final LoginVerifiers verifiers;
    private final Clock clock;
    private final Metrics metrics;

    /** With a hashing pool of its own (tests and tools that run no relay). */
    public Accounts(Config config, MailStore store, ResourceProbe probe, Clock clock) {
        this(config, store, probe, clock, HashingPool.forThisMachine(), new Metrics());
    }

    public Accounts(Config config, MailStore store, ResourceProbe probe, Clock clock, HashingPool pool) {
        this(config, store, probe, clock, pool, new Metrics());
    }

    public Accounts(Config config, MailStore store, ResourceProbe probe, Clock clock, HashingPool pool, Metrics metrics) {
        this(config, store, probe, clock, pool, metrics, Optional.empty());
    }

    /** @param relayWide the account-creation switch all nodes share (SCALE-2), beside data_dir/nocreate */
    public Accounts(Config config, MailStore store, ResourceProbe probe, Clock clock, HashingPool pool, Metrics metrics,
                    Optional<CreationSwitch> relayWide) {
        this.pool = pool;
        this.metrics = metrics;
        this.store = store;
        this.rules = new AddressRules(config);
        this.guard = new CreationGuard(config, probe, relayWide);
        this.clock = clock;
        this.verifiers = LoginVerifiers.open(config.dataDir());
    }

    /**
     * A client's login over {@code service}: {@link #login(String, String, InetAddress)}, counted
     * as a login of that service (OPS-3).
     */
    public Optional<Account> login(LoginService service, String address, String password, InetAddress client) {
        Optional<Account> account = login(address, password, client);
        metrics.login(service, account.isPresent());
        return account;
    }

    /** A login from inside the relay or a test: it shares one hashing slot with all such. */
    public Optional<Account> login(String address, String password) {
        return login(address, password, null);
    }

    /**
     * The account when the credentials are good (creating it if allowed), else empty.
     *
     * @param client the client's address: its hashes take turns in one slot of the pool
     */
    public Optional<Account> login(String address, String password, InetAddress client) {
        if (address == null || password == null || password.isEmpty() || tooLong(password)) {
            return Optional.empty();
        }
        String clientKey = ClientKey.of(client);
        String normalized = AddressRules.normalize(address);
        Optional<LoginRecord> existing = store.findLogin(normalized, verifiers.keyId());
        if (existing.isPresent()) {
            return verified(existing.get(), password, clientKey);
        }
        Optional<AccountRefusal> refusal = rules.creationRefusal(normalized, password)
                .or(() -> guard.check().map(CreationGuard.Refused::reason));
        if (refusal.isPresent()) {
            metrics.accountRefused(refusal.get());
            return Optional.empty();
        }
        String hash = pool.run(clientKey, () -> hasher.hash(password));
        Account stored = store.createAccountIfAbsent(normalized, hash, today());
        if (stored.passwordHash().equals(hash)) {
            store.saveLoginVerifier(stored.id(), verifiers.keyId(), verifiers.verifier(stored.address(), password, hash));
            metrics.accountCreated();
            return Optional.of(stored);
        }
        // Another login created it first; ours is just a login now.
        return verified(new LoginRecord(stored, null), password, clientKey);
    }

    private static boolean tooLong(String password) {
        // Each UTF-16 unit is at least one UTF-8 byte: a long string needs no encoding to tell.
        return password.length() > MAX_PASSWORD_BYTES
                || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES;
    }

    private Optional<Account> verified(LoginRecord login, String password, String clientKey) {
        Account account = login.account();
        String address = account.address();
        if (!verifiers.matches(login.verifier(), address, password, account.passwordHash())) {
            if (!pool.run(clientKey, () -> hasher.verify(password, account.passwordHash()))) {
                return Optional.empty();
            }
            store.saveLoginVerifier(account.id(), verifiers.keyId(),
                    verifiers.verifier(address, password, account.passwordHash()));
        }
        LocalDate today = today();
        if (!today.equals(account.lastLogin())) {
            store.recordLogin(account.id(), today);
        }
        return Optional.of(account);
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    public AddressRules rules() {
        return rules;
    }
}
