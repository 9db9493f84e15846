package chatmail.bench;

import java.io.IOException;

/**
 * Logs every bench account in once over submission. On a chatmail relay the first login creates
 * the account (ACC-1); on the baseline the users exist already and this checks the password.
 */
public final class AccountSetup {
    private AccountSetup() {}

    public static void loginAll(BenchTarget target, ClientTls tls, int accounts, int parallelism)
            throws IOException, InterruptedException {
        Parallel.forEach(accounts, parallelism, i -> {
            try (SmtpSubmitter s = SmtpSubmitter.open(tls, target.nextSource(), target.host(), target.submissionsPort(),
                    target.address(i), target.password())) {
                // Logged in: the account exists.
            }
        });
    }
}
