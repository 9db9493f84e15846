package chatmail.account;

import chatmail.config.Config;
import chatmail.metrics.AccountRefusal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Which addresses and passwords may create an account here (SPEC ACC-1). */
public final class AddressRules {

    private static final Pattern LOCAL_PART = Pattern.compile("^[a-z0-9._-]+$");

    private final Config config;

    public AddressRules(Config config) {
        this.config = config;
    }

    /** True when the address belongs to this relay's domain (one {@code @}, domain matches). */
    public boolean isLocal(String address) {
        int at = address.indexOf('@');
        return at > 0 && at == address.lastIndexOf('@')
                && address.substring(at + 1).toLowerCase(Locale.ROOT).equals(config.addressDomain());
    }

    /** True when an account for this address and password may be created. */
    public boolean mayCreate(String address, String password) {
        return creationRefusal(address, password).isEmpty();
    }

    /** Why no account may be created for this address and password; empty when one may. */
    public Optional<AccountRefusal> creationRefusal(String address, String password) {
        if (!isLocal(address)) {
            return Optional.of(AccountRefusal.INVALID_NAME);
        }
        String local = address.substring(0, address.indexOf('@'));
        if (local.length() < config.usernameMinLength() || local.length() > config.usernameMaxLength()
                || !LOCAL_PART.matcher(local).matches()) {
            return Optional.of(AccountRefusal.INVALID_NAME);
        }
        // Characters as a person counts them (the reference's Python len()), not UTF-16 units.
        if (password.codePointCount(0, password.length()) < config.passwordMinLength()) {
            return Optional.of(AccountRefusal.SHORT_PASSWORD);
        }
        return Optional.empty();
    }

    /** The form addresses are stored in: the domain lower-cased, the local part as given. */
    public static String normalize(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(0, at + 1) + address.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}
