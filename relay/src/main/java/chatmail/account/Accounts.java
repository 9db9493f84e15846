package chatmail.account;

import chatmail.config.Config;
import chatmail.metrics.AccountRefusal;
import chatmail.metrics.LoginService;
import chatmail.metrics.Metrics;
import chatmail.store.Account;
import chatmail.store.MailStore;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Logins for IMAP and SMTP: checks a password, and creates the account on its first
 * successful-looking login (SPEC ACC-1 … ACC-3, ACC-5, ACC-6). Every failure looks the same
 * to the client.
 */
public final class Accounts {

    private final MailStore store;
    private final AddressRules rules;
    private final CreationGuard guard;
    private final PasswordHasher hasher = new PasswordHasher();
    private final VerifiedLoginCache cache;
    private final Clock clock;
    private final Metrics metrics;

    public Accounts(Config config, MailStore store, ResourceProbe probe, Clock clock) {
        this(config, store, probe, clock, new Metrics());
    }

    public Accounts(Config config, MailStore store, ResourceProbe probe, Clock clock, Metrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.rules = new AddressRules(config);
        this.guard = new CreationGuard(config, probe);
        this.clock = clock;
        this.cache = new VerifiedLoginCache(clock, Duration.ofHours(1), 200_000);
    }

    /**
     * A client's login over {@code service}: {@link #login(String, String)}, counted as a login
     * of that service (OPS-3).
     */
    public Optional<Account> login(LoginService service, String address, String password) {
        Optional<Account> account = login(address, password);
        metrics.login(service, account.isPresent());
        return account;
    }

    /** The account when the credentials are good (creating it if allowed), else empty. */
    public Optional<Account> login(String address, String password) {
        if (address == null || password == null || password.isEmpty()) {
            return Optional.empty();
        }
        String normalized = AddressRules.normalize(address);
        Optional<Account> existing = store.findAccount(normalized);
        if (existing.isPresent()) {
            return verified(existing.get(), password);
        }
        Optional<AccountRefusal> refusal = rules.creationRefusal(normalized, password)
                .or(() -> guard.check().map(CreationGuard.Refused::reason));
        if (refusal.isPresent()) {
            metrics.accountRefused(refusal.get());
            return Optional.empty();
        }
        String hash = hasher.hash(password);
        Account stored = store.createAccountIfAbsent(normalized, hash, today());
        if (stored.passwordHash().equals(hash)) {
            cache.remember(normalized, password, hash);
            metrics.accountCreated();
            return Optional.of(stored);
        }
        // Another login created it first; ours is just a login now.
        return verified(stored, password);
    }

    private Optional<Account> verified(Account account, String password) {
        String address = account.address();
        boolean ok = cache.matches(address, password, account.passwordHash())
                || hasher.verify(password, account.passwordHash());
        if (!ok) {
            return Optional.empty();
        }
        cache.remember(address, password, account.passwordHash());
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
