package chatmail.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The relay's whole configuration: the reference keys of {@code chatmail.ini} (SPEC CFG-1),
 * the keys this project adds (CFG-2) and timeouts that only code and tests set.
 * Sizes are in bytes, ages in days. Optional values are {@code null} when unset.
 * Build one with {@link #builder(String)}; {@link ConfigLoader} fills it from an INI file.
 */
public record Config(
        String mailDomain,
        int maxUserSendPerMinute,
        int maxUserSendBurstSize,
        long maxMailboxSize,
        long maxMessageSize,
        int deleteMailsAfter,
        int deleteLargeAfter,
        int deleteInactiveUsersAfter,
        int usernameMinLength,
        int usernameMaxLength,
        int passwordMinLength,
        double maxLoad1m,
        long minAvailableMemory,
        long minFreeDiskSpace,
        int maxImapConnections,
        int maxSmtpConnections,
        Limits limits,
        Path tlsCertFile,
        Path tlsKeyFile,
        boolean disableIpv6,
        String acmeEmail,
        URI acmeDirectory,
        String irohRelay,
        boolean imapCompress,
        String privacyPostal,
        String privacyMail,
        String privacyPdo,
        String privacySupervisor,
        Path wwwFolder,
        Path dataDir,
        StorageSettings storage,
        List<String> listenAddresses,
        int smtpPort,
        int submissionPort,
        int submissionsPort,
        int imapPort,
        int imapsPort,
        int httpPort,
        int httpsPort,
        String dnsResolver,
        URI notifyUrl,
        String dkimSelector,
        String turnServer,
        String turnSecret,
        Duration turnCredentialLifetime,
        int turnPort,
        String turnExternalAddress,
        int turnRelayPortMin,
        int turnRelayPortMax,
        boolean turnAllowPrivatePeers,
        Path appversionsFile,
        Path trustedCaFile,
        int outboundSmtpPort,
        int outboundHttpsPort,
        String metricsAddress,
        Timeouts timeouts,
        Duration outboundConnectTimeout,
        Duration outboundCommandTimeout,
        Duration outboundDataTimeout,
        Duration outboundAttemptTimeout,
        boolean allowPrivateDestinations) {

    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;
    /** Let's Encrypt's production directory, the default {@code acme_directory} (OPS-1). */
    public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");

    public Config {
        Objects.requireNonNull(mailDomain, "mail_domain");
        Objects.requireNonNull(dataDir, "data_dir");
        listenAddresses = List.copyOf(listenAddresses);
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(limits, "limits");
    }

    /**
     * The limits layer's settings beyond the two connection caps (SPEC SEC-3); defaults as SEC-3
     * lists them.
     *
     * @param maxHttpsConnections cap of port 443's connections (router and web server)
     * @param maxUnauthenticatedPerClient connections per client and service before login
     * @param maxImapConnectionsPerAccount IMAP connections of one account
     * @param loginTimeout connect to login (port 25: to MAIL), an absolute deadline
     * @param loginFailuresBeforeDelay failures per client within a minute answered without delay
     * @param loginFailureDelay the first delay after those; doubles per further failure
     * @param maxLoginFailureDelay the delay stops doubling here
     */
    public record Limits(
            int maxHttpsConnections,
            int maxUnauthenticatedPerClient,
            int maxImapConnectionsPerAccount,
            Duration loginTimeout,
            int loginFailuresBeforeDelay,
            Duration loginFailureDelay,
            Duration maxLoginFailureDelay) {
        public static Limits defaults() {
            return new Limits(1000, 20, 50, Duration.ofSeconds(60), 5, Duration.ofSeconds(1), Duration.ofSeconds(15));
        }

        public Limits withLoginTimeout(Duration d) {
            return new Limits(maxHttpsConnections, maxUnauthenticatedPerClient, maxImapConnectionsPerAccount, d,
                    loginFailuresBeforeDelay, loginFailureDelay, maxLoginFailureDelay);
        }

        public Limits withLoginFailureDelay(Duration first, Duration max) {
            return new Limits(maxHttpsConnections, maxUnauthenticatedPerClient, maxImapConnectionsPerAccount,
                    loginTimeout, loginFailuresBeforeDelay, first, max);
        }

        public Limits withLoginFailuresBeforeDelay(int n) {
            return new Limits(maxHttpsConnections, maxUnauthenticatedPerClient, maxImapConnectionsPerAccount,
                    loginTimeout, n, loginFailureDelay, maxLoginFailureDelay);
        }

        public Limits withMaxUnauthenticatedPerClient(int n) {
            return new Limits(maxHttpsConnections, n, maxImapConnectionsPerAccount, loginTimeout,
                    loginFailuresBeforeDelay, loginFailureDelay, maxLoginFailureDelay);
        }

        public Limits withMaxImapConnectionsPerAccount(int n) {
            return new Limits(maxHttpsConnections, maxUnauthenticatedPerClient, n, loginTimeout,
                    loginFailuresBeforeDelay, loginFailureDelay, maxLoginFailureDelay);
        }

        public Limits withMaxHttpsConnections(int n) {
            return new Limits(n, maxUnauthenticatedPerClient, maxImapConnectionsPerAccount, loginTimeout,
                    loginFailuresBeforeDelay, loginFailureDelay, maxLoginFailureDelay);
        }
    }

    /** Timeouts and intervals that are not INI keys; tests shorten them. */
    public record Timeouts(
            Duration smtpCommand,
            Duration smtpData,
            Duration imapBeforeLogin,
            Duration imapIdle,
            Duration imapIdleKeepAlive,
            Duration expiryInterval) {
        public static Timeouts defaults() {
            return new Timeouts(
                    Duration.ofMinutes(5),
                    Duration.ofMinutes(10),
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(31),
                    Duration.ofMinutes(2),
                    Duration.ofDays(1));
        }
    }

    /** How this relay gets its TLS certificate (CFG-4). */
    public enum TlsMode { EXTERNAL, SELF_SIGNED, ACME }

    /** True when mail_domain is an IPv4 address: addresses are {@code user@[1.2.3.4]} (CFG-3). */
    public boolean ipOnly() {
        return mailDomain.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** The part after {@code @} in this relay's addresses. */
    public String addressDomain() {
        return ipOnly() ? "[" + mailDomain + "]" : mailDomain;
    }

    public TlsMode tlsMode() {
        if (tlsCertFile != null) return TlsMode.EXTERNAL;
        if (mailDomain.startsWith("_") || ipOnly() || mailDomain.equals("localhost")
                || mailDomain.endsWith(".localhost")) {
            return TlsMode.SELF_SIGNED;
        }
        return TlsMode.ACME;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder(String mailDomain) {
        return new Builder(mailDomain);
    }

    /** Defaults are those of SPEC CFG-1 and CFG-2. */
    public static final class Builder {
        public String mailDomain;
        public int maxUserSendPerMinute = 60;
        public int maxUserSendBurstSize = 10;
        public long maxMailboxSize = 500 * MIB;
        public long maxMessageSize = 31457280;
        public int deleteMailsAfter = 20;
        public int deleteLargeAfter = 7;
        public int deleteInactiveUsersAfter = 90;
        public int usernameMinLength = 9;
        public int usernameMaxLength = 9;
        public int passwordMinLength = 9;
        public double maxLoad1m = 5;
        public long minAvailableMemory = 200 * MIB;
        public long minFreeDiskSpace = GIB;
        public int maxImapConnections = 10000;
        public int maxSmtpConnections = 1000;
        public Limits limits = Limits.defaults();
        public Path tlsCertFile;
        public Path tlsKeyFile;
        public boolean disableIpv6;
        public String acmeEmail;
        public URI acmeDirectory = LETS_ENCRYPT;
        public String irohRelay;
        public boolean imapCompress;
        public String privacyPostal;
        public String privacyMail;
        public String privacyPdo;
        public String privacySupervisor;
        public Path wwwFolder;
        public Path dataDir = Path.of("/var/lib/chatmail");
        public StorageSettings storage = StorageSettings.sqlite();
        /** null means: "::" or, with disable_ipv6, "0.0.0.0". */
        public List<String> listenAddresses;
        public int smtpPort = 25;
        public int submissionPort = 587;
        public int submissionsPort = 465;
        public int imapPort = 143;
        public int imapsPort = 993;
        public int httpPort = 80;
        public int httpsPort = 443;
        public String dnsResolver;
        public URI notifyUrl = URI.create("https://notifications.delta.chat/notify");
        public String dkimSelector = "opendkim";
        public String turnServer;
        public String turnSecret;
        public Duration turnCredentialLifetime = Duration.ofDays(5);
        public int turnPort = 3478;
        public String turnExternalAddress;
        public int turnRelayPortMin = 49152;
        public int turnRelayPortMax = 65535;
        public boolean turnAllowPrivatePeers;
        public Path appversionsFile;
        public Path trustedCaFile;
        public int outboundSmtpPort = 25;
        public int outboundHttpsPort = 443;
        /** host:port of the /metrics listener; null = off. */
        public String metricsAddress;
        public Timeouts timeouts = Timeouts.defaults();
        public Duration outboundConnectTimeout = Duration.ofSeconds(10);
        public Duration outboundCommandTimeout = Duration.ofMinutes(5);
        public Duration outboundDataTimeout = Duration.ofMinutes(10);
        public Duration outboundAttemptTimeout = Duration.ofMinutes(30);
        public boolean allowPrivateDestinations;

        Builder(String mailDomain) {
            this.mailDomain = mailDomain;
        }

        Builder(Config c) {
            mailDomain = c.mailDomain; maxUserSendPerMinute = c.maxUserSendPerMinute;
            maxUserSendBurstSize = c.maxUserSendBurstSize; maxMailboxSize = c.maxMailboxSize;
            maxMessageSize = c.maxMessageSize; deleteMailsAfter = c.deleteMailsAfter;
            deleteLargeAfter = c.deleteLargeAfter; deleteInactiveUsersAfter = c.deleteInactiveUsersAfter;
            usernameMinLength = c.usernameMinLength; usernameMaxLength = c.usernameMaxLength;
            passwordMinLength = c.passwordMinLength; maxLoad1m = c.maxLoad1m;
            minAvailableMemory = c.minAvailableMemory; minFreeDiskSpace = c.minFreeDiskSpace;
            maxImapConnections = c.maxImapConnections; maxSmtpConnections = c.maxSmtpConnections;
            limits = c.limits;
            tlsCertFile = c.tlsCertFile; tlsKeyFile = c.tlsKeyFile; disableIpv6 = c.disableIpv6;
            acmeEmail = c.acmeEmail; acmeDirectory = c.acmeDirectory; irohRelay = c.irohRelay; imapCompress = c.imapCompress;
            privacyPostal = c.privacyPostal; privacyMail = c.privacyMail; privacyPdo = c.privacyPdo;
            privacySupervisor = c.privacySupervisor; wwwFolder = c.wwwFolder; dataDir = c.dataDir;
            storage = c.storage;
            listenAddresses = c.listenAddresses; smtpPort = c.smtpPort; submissionPort = c.submissionPort;
            submissionsPort = c.submissionsPort; imapPort = c.imapPort; imapsPort = c.imapsPort;
            httpPort = c.httpPort; httpsPort = c.httpsPort; dnsResolver = c.dnsResolver;
            notifyUrl = c.notifyUrl; dkimSelector = c.dkimSelector; turnServer = c.turnServer;
            turnSecret = c.turnSecret; turnCredentialLifetime = c.turnCredentialLifetime;
            turnPort = c.turnPort; turnExternalAddress = c.turnExternalAddress;
            turnRelayPortMin = c.turnRelayPortMin; turnRelayPortMax = c.turnRelayPortMax;
            turnAllowPrivatePeers = c.turnAllowPrivatePeers;
            appversionsFile = c.appversionsFile; trustedCaFile = c.trustedCaFile;
            outboundSmtpPort = c.outboundSmtpPort; outboundHttpsPort = c.outboundHttpsPort;
            metricsAddress = c.metricsAddress;
            timeouts = c.timeouts;
            outboundConnectTimeout = c.outboundConnectTimeout; outboundCommandTimeout = c.outboundCommandTimeout;
            outboundDataTimeout = c.outboundDataTimeout; outboundAttemptTimeout = c.outboundAttemptTimeout;
            allowPrivateDestinations = c.allowPrivateDestinations;
        }

        public Config build() {
            List<String> listen = listenAddresses != null ? listenAddresses
                    : List.of(disableIpv6 ? "0.0.0.0" : "::");
            return new Config(mailDomain, maxUserSendPerMinute, maxUserSendBurstSize, maxMailboxSize,
                    maxMessageSize, deleteMailsAfter, deleteLargeAfter, deleteInactiveUsersAfter,
                    usernameMinLength, usernameMaxLength, passwordMinLength, maxLoad1m,
                    minAvailableMemory, minFreeDiskSpace, maxImapConnections, maxSmtpConnections, limits,
                    tlsCertFile, tlsKeyFile, disableIpv6, acmeEmail, acmeDirectory, irohRelay, imapCompress,
                    privacyPostal, privacyMail, privacyPdo, privacySupervisor, wwwFolder, dataDir, storage,
                    listen, smtpPort, submissionPort, submissionsPort, imapPort, imapsPort, httpPort,
                    httpsPort, dnsResolver, notifyUrl, dkimSelector, turnServer, turnSecret,
                    turnCredentialLifetime, turnPort, turnExternalAddress, turnRelayPortMin, turnRelayPortMax,
                    turnAllowPrivatePeers, appversionsFile, trustedCaFile, outboundSmtpPort,
                    outboundHttpsPort, metricsAddress, timeouts, outboundConnectTimeout, outboundCommandTimeout,
                    outboundDataTimeout, outboundAttemptTimeout, allowPrivateDestinations);
        }
    }
}
