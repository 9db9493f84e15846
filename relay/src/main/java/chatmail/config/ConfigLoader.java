package chatmail.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link Config} from the {@code [params]} section of {@code chatmail.ini}
 * (SPEC CFG-1, CFG-2). An empty value means the key's default. Unknown keys and keys that
 * no longer have an effect become warnings; any bad value is a {@link ConfigException}.
 */
public final class ConfigLoader {
    public static final String SECTION = "params";
    private static final Set<String> NO_EFFECT_SINCE_1_11 =
            Set.of("passthrough_senders", "passthrough_recipients");

    private ConfigLoader() {}

    /** Dev mode gives {@link DevConfig}; a file is read, parsed and loaded. */
    public static LoadedConfig load(ConfigSource source) throws ConfigException {
        return switch (source) {
            case ConfigSource.Dev dev -> new LoadedConfig(DevConfig.create(dev.workingDir()), List.of());
            case ConfigSource.File file -> load(file.path());
        };
    }

    public static LoadedConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException notUtf8) {
            throw new ConfigException(file + ": not UTF-8 text", notUtf8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    public static LoadedConfig parse(String iniText) throws ConfigException {
        return load(IniParser.parse(iniText));
    }

    public static LoadedConfig load(IniFile ini) throws ConfigException {
        List<String> warnings = new ArrayList<>();
        for (IniSection other : ini.sections()) {
            if (!other.name().equals(SECTION) && !other.name().equals("DEFAULT")) {
                warnings.add("line " + other.line() + ": section [" + other.name()
                        + "] is ignored; settings belong in [" + SECTION + "]");
            }
        }
        IniSection params = ini.section(SECTION).orElseThrow(() -> new ConfigException(
                "there is no [" + SECTION + "] section; it must hold at least mail_domain"));
        IniEntry domain = params.get("mail_domain").filter(e -> !e.value().isEmpty())
                .orElseThrow(() -> new ConfigException(
                        "mail_domain is missing in [" + SECTION + "]: set it to the relay's domain"));
        Config.Builder b = Config.builder(ConfigValues.mailDomain(domain));
        for (IniEntry entry : params.entries()) {
            Optional<ConfigKey> key = ConfigKey.byIniName(entry.key());
            if (key.isPresent()) {
                if (!entry.value().isEmpty()) apply(key.get(), entry, b);
            } else if (NO_EFFECT_SINCE_1_11.contains(entry.key())) {
                warnings.add("line " + entry.line() + ": " + entry.key()
                        + " has no effect (removed from chatmail in 1.11) and is ignored");
            } else {
                warnings.add("line " + entry.line() + ": unknown key " + entry.key() + " is ignored");
            }
        }
        Optional<IniEntry> mtail = params.get(ConfigKey.MTAIL_ADDRESS.iniName()).filter(e -> !e.value().isEmpty());
        if (mtail.isPresent()) {
            if (b.metricsAddress != null) {
                warnings.add("line " + mtail.get().line() + ": mtail_address is ignored: metrics_address is set");
            } else {
                b.metricsAddress = ConfigValues.mtailAddress(mtail.get());
                warnings.add("line " + mtail.get().line() + ": mtail_address is read as metrics_address = "
                        + b.metricsAddress + " (Prometheus metrics at /metrics; there is no mtail)");
            }
        }
        if (b.usernameMinLength > b.usernameMaxLength) {
            throw new ConfigException("username_min_length (" + b.usernameMinLength
                    + ") is greater than username_max_length (" + b.usernameMaxLength + ")");
        }
        if (b.storage.kind() == StorageSettings.Kind.POSTGRESQL && b.storage.postgresqlUrl() == null) {
            throw new ConfigException("storage = postgresql needs postgresql_url (jdbc:postgresql://host:port/database)");
        }
        if (b.turnServer != null && b.turnSecret == null) {
            throw new ConfigException("turn_server is set but turn_secret is not: "
                    + "set turn_secret to the TURN server's shared secret");
        }
        if (b.turnCredentialLifetime.compareTo(java.time.Duration.ofDays(1)) < 0) {
            warnings.add("turn_credential_lifetime is below 1 day: a call that starts before the credentials "
                    + "expire may be cut off when they do");
        }
        return new LoadedConfig(b.build(), warnings);
    }

    private static void apply(ConfigKey key, IniEntry e, Config.Builder b) throws ConfigException {
        final int any = Integer.MAX_VALUE;
        switch (key) {
            case MAIL_DOMAIN -> { } // read first, before anything can depend on it
            case MAX_USER_SEND_PER_MINUTE -> b.maxUserSendPerMinute = ConfigValues.wholeNumber(e, 1, any);
            case MAX_USER_SEND_BURST_SIZE -> b.maxUserSendBurstSize = ConfigValues.wholeNumber(e, 1, any);
            case MAX_MAILBOX_SIZE -> b.maxMailboxSize = ConfigValues.size(e, Config.MIB);
            case MAX_MESSAGE_SIZE -> b.maxMessageSize = ConfigValues.size(e, 1);
            case DELETE_MAILS_AFTER -> b.deleteMailsAfter = ConfigValues.wholeNumber(e, 1, any);
            case DELETE_LARGE_AFTER -> b.deleteLargeAfter = ConfigValues.wholeNumber(e, 1, any);
            case DELETE_INACTIVE_USERS_AFTER -> b.deleteInactiveUsersAfter = ConfigValues.wholeNumber(e, 1, any);
            case USERNAME_MIN_LENGTH -> b.usernameMinLength = ConfigValues.wholeNumber(e, 1, 64);
            case USERNAME_MAX_LENGTH -> b.usernameMaxLength = ConfigValues.wholeNumber(e, 1, 64);
            case PASSWORD_MIN_LENGTH -> b.passwordMinLength = ConfigValues.wholeNumber(e, 1, 1024);
            case MAX_LOAD_1M -> b.maxLoad1m = ConfigValues.decimal(e);
            case MIN_AVAILABLE_MEMORY -> b.minAvailableMemory = ConfigValues.size(e, Config.MIB);
            case MIN_FREE_DISK_SPACE -> b.minFreeDiskSpace = ConfigValues.size(e, Config.MIB);
            case MAX_IMAP_CONNECTIONS -> b.maxImapConnections = ConfigValues.wholeNumber(e, 1, any);
            case MAX_SMTP_CONNECTIONS -> b.maxSmtpConnections = ConfigValues.wholeNumber(e, 1, any);
            case MAX_HTTPS_CONNECTIONS -> b.limits = b.limits.withMaxHttpsConnections(ConfigValues.wholeNumber(e, 1, any));
            case MAX_UNAUTHENTICATED_CONNECTIONS_PER_CLIENT ->
                    b.limits = b.limits.withMaxUnauthenticatedPerClient(ConfigValues.wholeNumber(e, 1, any));
            case MAX_IMAP_CONNECTIONS_PER_ACCOUNT ->
                    b.limits = b.limits.withMaxImapConnectionsPerAccount(ConfigValues.wholeNumber(e, 1, any));
            case LOGIN_TIMEOUT -> b.limits = b.limits.withLoginTimeout(ConfigValues.duration(e));
            case LOGIN_FAILURES_BEFORE_DELAY ->
                    b.limits = b.limits.withLoginFailuresBeforeDelay(ConfigValues.wholeNumber(e, 0, any));
            case LOGIN_FAILURE_DELAY ->
                    b.limits = b.limits.withLoginFailureDelay(ConfigValues.duration(e), b.limits.maxLoginFailureDelay());
            case MAX_LOGIN_FAILURE_DELAY ->
                    b.limits = b.limits.withLoginFailureDelay(b.limits.loginFailureDelay(), ConfigValues.duration(e));
            case TLS_EXTERNAL_CERT_AND_KEY -> {
                Path[] pair = ConfigValues.certAndKey(e);
                b.tlsCertFile = pair[0];
                b.tlsKeyFile = pair[1];
            }
            case DISABLE_IPV6 -> b.disableIpv6 = ConfigValues.bool(e);
            case ACME_EMAIL -> b.acmeEmail = e.value();
            case ACME_DIRECTORY -> b.acmeDirectory = ConfigValues.httpsUri(e);
            case IROH_RELAY -> b.irohRelay = e.value();
            case IMAP_COMPRESS -> b.imapCompress = ConfigValues.bool(e);
            case PRIVACY_POSTAL -> b.privacyPostal = e.value().strip();
            case PRIVACY_MAIL -> b.privacyMail = e.value();
            case PRIVACY_PDO -> b.privacyPdo = e.value().strip();
            case PRIVACY_SUPERVISOR -> b.privacySupervisor = e.value().strip();
            case WWW_FOLDER -> b.wwwFolder = ConfigValues.path(e);
            case DATA_DIR -> b.dataDir = ConfigValues.path(e);
            case STORAGE -> b.storage = new StorageSettings(ConfigValues.storageKind(e), b.storage.postgresqlUrl(),
                    b.storage.postgresqlPasswordFile());
            case POSTGRESQL_URL -> b.storage = new StorageSettings(b.storage.kind(), ConfigValues.postgresqlUrl(e),
                    b.storage.postgresqlPasswordFile());
            case POSTGRESQL_PASSWORD_FILE -> b.storage = new StorageSettings(b.storage.kind(), b.storage.postgresqlUrl(),
                    ConfigValues.path(e));
            case LISTEN_ADDRESSES -> b.listenAddresses = ConfigValues.ipAddresses(e);
            case SMTP_PORT -> b.smtpPort = ConfigValues.port(e);
            case SUBMISSION_PORT -> b.submissionPort = ConfigValues.port(e);
            case SUBMISSIONS_PORT -> b.submissionsPort = ConfigValues.port(e);
            case IMAP_PORT -> b.imapPort = ConfigValues.port(e);
            case IMAPS_PORT -> b.imapsPort = ConfigValues.port(e);
            case HTTP_PORT -> b.httpPort = ConfigValues.port(e);
            case HTTPS_PORT -> b.httpsPort = ConfigValues.port(e);
            case DNS_RESOLVER -> b.dnsResolver = ConfigValues.hostAndPort(e, false);
            case NOTIFY_URL -> b.notifyUrl = ConfigValues.httpUri(e);
            case DKIM_SELECTOR -> b.dkimSelector = ConfigValues.dkimSelector(e);
            case TURN_SERVER -> b.turnServer = ConfigValues.turnServer(e);
            case TURN_SECRET -> b.turnSecret = e.value();
            case TURN_CREDENTIAL_LIFETIME -> b.turnCredentialLifetime = ConfigValues.duration(e);
            case TURN_PORT -> b.turnPort = ConfigValues.port(e);
            case TURN_EXTERNAL_ADDRESS -> b.turnExternalAddress = ConfigValues.ipAddress(e);
            case TURN_RELAY_PORTS -> {
                int[] range = ConfigValues.portRange(e);
                b.turnRelayPortMin = range[0];
                b.turnRelayPortMax = range[1];
            }
            case TURN_ALLOW_PRIVATE_PEERS -> b.turnAllowPrivatePeers = ConfigValues.bool(e);
            case APPVERSIONS_FILE -> b.appversionsFile = ConfigValues.path(e);
            case TRUSTED_CA_FILE -> b.trustedCaFile = ConfigValues.path(e);
            case OUTBOUND_SMTP_PORT -> b.outboundSmtpPort = ConfigValues.port(e);
            case OUTBOUND_HTTPS_PORT -> b.outboundHttpsPort = ConfigValues.port(e);
            case METRICS_ADDRESS -> b.metricsAddress = ConfigValues.hostAndPort(e, true);
            case MTAIL_ADDRESS -> { } // read after the loop: metrics_address wins wherever it stands
            case OUTBOUND_CONNECT_TIMEOUT -> b.outboundConnectTimeout = ConfigValues.duration(e);
            case OUTBOUND_COMMAND_TIMEOUT -> b.outboundCommandTimeout = ConfigValues.duration(e);
            case OUTBOUND_DATA_TIMEOUT -> b.outboundDataTimeout = ConfigValues.duration(e);
            case OUTBOUND_ATTEMPT_TIMEOUT -> b.outboundAttemptTimeout = ConfigValues.duration(e);
            case ALLOW_PRIVATE_DESTINATIONS -> b.allowPrivateDestinations = ConfigValues.bool(e);
        }
    }
}
