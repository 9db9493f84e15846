package chatmail.account;

import static chatmail.account.AccountsFixture.address;
import static chatmail.testing.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;

import chatmail.config.Config;
import chatmail.limits.HashingPool;
import java.net.InetAddress;
import chatmail.metrics.AccountRefusal;
import chatmail.metrics.LoginService;
import chatmail.metrics.Metrics;
import chatmail.testing.PrometheusText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OPS-3: every first login that does not create an account is counted under its ACC-1/ACC-5 reason. */
class AccountMetricsTest {

    @TempDir
    Path dir;

    private AccountsFixture f;
    private final Metrics metrics = new Metrics();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private Accounts accounts;

    @BeforeEach
    void open() {
        f = new AccountsFixture(dir);
        accounts = new Accounts(f.config, f.store, f.resources::get, f.clock, HashingPool.forThisMachine(), metrics);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private double refused(AccountRefusal reason) {
        return value(PrometheusText.scrape(metrics), "chatmail_accounts_refused_total", "reason", reason.label());
    }

    @Test
    void eachRefusalReasonIsCountedOnce() throws Exception {
        assertThat(accounts.login(LoginService.IMAP, address("short"), "password-1", LOOPBACK)).isEmpty();
        assertThat(accounts.login(LoginService.IMAP, "someone9x@other.example", "password-1", LOOPBACK)).isEmpty();
        assertThat(accounts.login(LoginService.IMAP, address("shortpass"), "short", LOOPBACK)).isEmpty();
        Path nocreate = f.config.dataDir().resolve("nocreate");
        Files.createFile(nocreate);
        assertThat(accounts.login(LoginService.SMTP, address("nocreate1"), "password-1", LOOPBACK)).isEmpty();
        Files.delete(nocreate);
        f.resources.set(new ResourceProbe.Resources(99.0, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2));
        assertThat(accounts.login(LoginService.SMTP, address("loadhigh1"), "password-1", LOOPBACK)).isEmpty();
        f.resources.set(new ResourceProbe.Resources(0, Config.MIB, Long.MAX_VALUE / 2));
        assertThat(accounts.login(LoginService.SMTP, address("memorylow"), "password-1", LOOPBACK)).isEmpty();
        f.resources.set(new ResourceProbe.Resources(0, Long.MAX_VALUE / 2, Config.MIB));
        assertThat(accounts.login(LoginService.SMTP, address("disklow01"), "password-1", LOOPBACK)).isEmpty();
        f.resources.set(ResourceProbe.ample().current());
        assertThat(accounts.login(LoginService.SMTP, address("created01"), "password-1", LOOPBACK)).isPresent();
        assertThat(accounts.login(LoginService.IMAP, address("created01"), "password-1", LOOPBACK)).isPresent();

        assertThat(refused(AccountRefusal.INVALID_NAME)).isEqualTo(2);
        assertThat(refused(AccountRefusal.SHORT_PASSWORD)).isEqualTo(1);
        assertThat(refused(AccountRefusal.NOCREATE)).isEqualTo(1);
        assertThat(refused(AccountRefusal.LOAD)).isEqualTo(1);
        assertThat(refused(AccountRefusal.MEMORY)).isEqualTo(1);
        assertThat(refused(AccountRefusal.DISK)).isEqualTo(1);
        Map<String, Double> all = PrometheusText.scrape(metrics);
        assertThat(value(all, "chatmail_accounts_created_total")).isEqualTo(1);
        assertThat(value(all, "chatmail_logins_total", "service", "imap", "result", "failed")).isEqualTo(3);
        assertThat(value(all, "chatmail_logins_total", "service", "smtp", "result", "failed")).isEqualTo(4);
        assertThat(value(all, "chatmail_logins_total", "service", "smtp", "result", "ok")).isEqualTo(1);
        assertThat(value(all, "chatmail_logins_total", "service", "imap", "result", "ok")).isEqualTo(1);
    }
}
