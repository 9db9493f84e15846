package chatmail.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    private static LoadedConfig load(String params) throws ConfigException {
        return ConfigLoader.parse("[params]\nmail_domain = chat.example.org\n" + params);
    }

    @Test
    void aFileWithOnlyTheDomainGivesEveryDefaultOfCfg1AndCfg2() throws Exception {
        LoadedConfig loaded = load("");
        Config c = loaded.config();
        assertThat(loaded.warnings()).isEmpty();
        assertThat(c.mailDomain()).isEqualTo("chat.example.org");
        assertThat(c.maxUserSendPerMinute()).isEqualTo(60);
        assertThat(c.maxUserSendBurstSize()).isEqualTo(10);
        assertThat(c.maxMailboxSize()).isEqualTo(500L << 20);
        assertThat(c.maxMessageSize()).isEqualTo(31457280);
        assertThat(c.deleteMailsAfter()).isEqualTo(20);
        assertThat(c.deleteLargeAfter()).isEqualTo(7);
        assertThat(c.deleteInactiveUsersAfter()).isEqualTo(90);
        assertThat(c.usernameMinLength()).isEqualTo(9);
        assertThat(c.usernameMaxLength()).isEqualTo(9);
        assertThat(c.passwordMinLength()).isEqualTo(9);
        assertThat(c.maxLoad1m()).isEqualTo(5.0);
        assertThat(c.minAvailableMemory()).isEqualTo(200L << 20);
        assertThat(c.minFreeDiskSpace()).isEqualTo(1L << 30);
        assertThat(c.maxImapConnections()).isEqualTo(10000);
        assertThat(c.maxSmtpConnections()).isEqualTo(1000);
        assertThat(c.tlsCertFile()).isNull();
        assertThat(c.tlsKeyFile()).isNull();
        assertThat(c.disableIpv6()).isFalse();
        assertThat(c.imapCompress()).isFalse();
        assertThat(List.of(nullable(c.acmeEmail()), nullable(c.irohRelay()), nullable(c.privacyPostal()),
                nullable(c.privacyMail()), nullable(c.privacyPdo()), nullable(c.privacySupervisor()),
                nullable(c.wwwFolder()), nullable(c.dnsResolver()), nullable(c.turnServer()),
                nullable(c.turnSecret()), nullable(c.appversionsFile()), nullable(c.trustedCaFile())))
                .allMatch(v -> v.equals("unset"));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/chatmail"));
        assertThat(c.listenAddresses()).containsExactly("::");
        assertThat(List.of(c.smtpPort(), c.submissionPort(), c.submissionsPort(), c.imapPort(), c.imapsPort(),
                c.httpPort(), c.httpsPort())).containsExactly(25, 587, 465, 143, 993, 80, 443);
        assertThat(c.notifyUrl()).isEqualTo(URI.create("https://notifications.delta.chat/notify"));
        assertThat(c.dkimSelector()).isEqualTo("opendkim");
        assertThat(c.turnCredentialLifetime()).isEqualTo(Duration.ofDays(5));
        assertThat(c.turnPort()).isEqualTo(3478);
        assertThat(c.turnExternalAddress()).isNull();
        assertThat(List.of(c.turnRelayPortMin(), c.turnRelayPortMax())).containsExactly(49152, 65535);
        assertThat(c.turnAllowPrivatePeers()).isFalse();
        assertThat(c.outboundSmtpPort()).isEqualTo(25);
        assertThat(c.outboundHttpsPort()).isEqualTo(443);
        // RFC 5321 4.5.3.2's timeouts; DLV-2's connect timeout
        assertThat(List.of(c.outboundConnectTimeout(), c.outboundCommandTimeout(), c.outboundDataTimeout(),
                c.outboundAttemptTimeout())).containsExactly(Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofMinutes(10), Duration.ofMinutes(30));
        assertThat(c.allowPrivateDestinations()).isFalse();
        assertThat(c).isEqualTo(Config.builder("chat.example.org").build());
    }

    private static String nullable(Object o) {
        return o == null ? "unset" : o.toString();
    }

    @ParameterizedTest
    @CsvSource({
        "500M, 524288000", "2G, 2147483648", "100MB, 104857600", "1g, 1073741824",
        "300, 314572800", "64K, 65536", "64kb, 65536", "2 GiB, 2147483648", "4096B, 4096"})
    void sizesAcceptSuffixesAndABareNumberMeansMib(String written, long bytes) throws Exception {
        Config c = load("max_mailbox_size = " + written + "\nmin_available_memory = " + written
                + "\nmin_free_disk_space = " + written + "\n").config();
        assertThat(List.of(c.maxMailboxSize(), c.minAvailableMemory(), c.minFreeDiskSpace()))
                .containsOnly(bytes);
    }

    @Test
    void maxMessageSizeIsInBytes() throws Exception {
        assertThat(load("max_message_size = 1000\n").config().maxMessageSize()).isEqualTo(1000);
    }

    @Test
    void otherValueTypesAreRead() throws Exception {
        Config c = load("""
                disable_ipv6 = yes
                imap_compress = On
                smtp_port = 0
                listen_addresses = 127.0.0.1, ::1
                tls_external_cert_and_key = /etc/cert.pem   /etc/key.pem
                turn_server = turn.example.org:3478
                turn_secret = s3cret
                turn_credential_lifetime = 12h
                dns_resolver = [::1]:5353
                notify_url = http://127.0.0.1:8000/notify
                max_load_1m = 2.5
                privacy_postal =
                    Example GmbH
                    Street 1
                """).config();
        assertThat(c.disableIpv6()).isTrue();
        assertThat(c.imapCompress()).isTrue();
        assertThat(c.smtpPort()).isZero();
        assertThat(c.listenAddresses()).containsExactly("127.0.0.1", "::1");
        assertThat(c.tlsCertFile()).isEqualTo(Path.of("/etc/cert.pem"));
        assertThat(c.tlsKeyFile()).isEqualTo(Path.of("/etc/key.pem"));
        assertThat(c.tlsMode()).isEqualTo(Config.TlsMode.EXTERNAL);
        assertThat(c.turnServer()).isEqualTo("turn.example.org:3478");
        assertThat(c.turnCredentialLifetime()).isEqualTo(Duration.ofHours(12));
        assertThat(c.dnsResolver()).isEqualTo("[::1]:5353");
        assertThat(c.notifyUrl()).isEqualTo(URI.create("http://127.0.0.1:8000/notify"));
        assertThat(c.maxLoad1m()).isEqualTo(2.5);
        assertThat(c.privacyPostal()).isEqualTo("Example GmbH\nStreet 1");
        assertThat(load("disable_ipv6 = true\n").config().listenAddresses()).containsExactly("0.0.0.0");
        assertThat(load("turn_credential_lifetime = 3600\n").config().turnCredentialLifetime())
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void outboundTimeoutsAndPrivateDestinationsAreRead() throws Exception {
        Config c = load("""
                outbound_connect_timeout = 3
                outbound_command_timeout = 2m
                outbound_data_timeout = 1h
                outbound_attempt_timeout = 2h
                allow_private_destinations = true
                """).config();
        assertThat(List.of(c.outboundConnectTimeout(), c.outboundCommandTimeout(), c.outboundDataTimeout(),
                c.outboundAttemptTimeout())).containsExactly(Duration.ofSeconds(3), Duration.ofMinutes(2),
                Duration.ofHours(1), Duration.ofHours(2));
        assertThat(c.allowPrivateDestinations()).isTrue();
        assertThatThrownBy(() -> load("outbound_attempt_timeout = 0\n")).isInstanceOf(ConfigException.class)
                .hasMessage("outbound_attempt_timeout = \"0\" (line 3) is not valid: expected a positive duration:"
                        + " seconds, or a number with s, m, h or d such as 5d");
    }

    @Test
    void anIpv4DomainIsAnIpOnlyRelayWithSelfSignedTls() throws Exception {
        Config c = ConfigLoader.parse("[params]\nmail_domain = 1.2.3.4\n").config();
        assertThat(c.ipOnly()).isTrue();
        assertThat(c.addressDomain()).isEqualTo("[1.2.3.4]");
        assertThat(c.tlsMode()).isEqualTo(Config.TlsMode.SELF_SIGNED);
        ConfigValidator.checkRunnable(c);
    }

    @ParameterizedTest
    @CsvSource({"_chat.example.org", "relay.localhost", "CHATMAIL.LOCALHOST"})
    void underscoreAndLocalhostDomainsAreSelfSignedAndMayRun(String domain) throws Exception {
        Config c = ConfigLoader.parse("[params]\nmail_domain = " + domain + "\n").config();
        assertThat(c.mailDomain()).isEqualTo(domain.toLowerCase(java.util.Locale.ROOT));
        assertThat(c.ipOnly()).isFalse();
        assertThat(c.tlsMode()).isEqualTo(Config.TlsMode.SELF_SIGNED);
        ConfigValidator.checkRunnable(c);
    }

    @Test
    void unknownAndRemovedKeysAreWarningsThatNameThem() throws Exception {
        LoadedConfig loaded = load("""
                max_user_send_per_minut = 5
                passthrough_senders = a@b.org
                passthrough_recipients = x@y.org
                """);
        assertThat(loaded.warnings()).hasSize(3);
        assertThat(loaded.warnings().get(0)).contains("unknown key max_user_send_per_minut", "line 3");
        assertThat(loaded.warnings().get(1)).contains("passthrough_senders", "no effect", "1.11");
        assertThat(loaded.warnings().get(2)).contains("passthrough_recipients", "no effect", "1.11");
        assertThat(loaded.config().maxUserSendPerMinute()).isEqualTo(60);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            max_user_send_per_minute  | ten          | a whole number
            delete_mails_after        | -1           | a whole number
            max_mailbox_size          | 12X          | a size such as 500M
            max_mailbox_size          | 99999999999T | a size such as 500M
            disable_ipv6              | maybe        | true or false
            imaps_port                | 65536        | a port from 0 to 65535
            smtp_port                 | -25          | a port from 0 to 65535
            notify_url                | not a url    | an absolute http or https URL
            notify_url                | ftp://x.org/ | an absolute http or https URL
            turn_credential_lifetime  | 5 weeks      | a positive duration
            tls_external_cert_and_key | /only/one.pem| two paths
            listen_addresses          | localhost    | IP addresses
            turn_server               | turn.org     | host:port
            turn_server               | [2001:db8::1]:3478 | host:port with a host name or IPv4 address
            turn_server               | 2001:db8::1  | host:port with a host name or IPv4 address
            turn_port                 | 70000        | a port from 0 to 65535
            turn_relay_ports          | 60000-50000  | a range of UDP ports low-high
            turn_relay_ports          | 80-90        | a range of UDP ports low-high
            turn_relay_ports          | 50000        | a range of UDP ports low-high
            turn_external_address     | turn.example.org | one IP address
            turn_external_address     | 0.0.0.0      | one IP address
            turn_allow_private_peers  | sometimes    | true or false
            max_load_1m               | NaN          | a number
            mail_domain               | a b.org      | a domain name
            """)
    void aBadValueIsAnErrorNamingKeyValueAndExpectation(String key, String value, String expected) {
        String text = "[params]\n" + (key.equals("mail_domain") ? "" : "mail_domain = x.org\n")
                + key + " = " + value + "\n";
        assertThatThrownBy(() -> ConfigLoader.parse(text))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageContaining("\"" + value + "\"")
                .hasMessageContaining("expected " + expected);
    }

    @Test
    void aMissingDomainOrSectionIsAnError() {
        assertThatThrownBy(() -> ConfigLoader.parse("[params]\nmax_load_1m = 3\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mail_domain is missing");
        assertThatThrownBy(() -> ConfigLoader.parse("[params]\nmail_domain =\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mail_domain is missing");
        assertThatThrownBy(() -> ConfigLoader.parse("[other]\nmail_domain = x.org\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no [params] section");
    }

    @Test
    void turnKeysOfTurn1And2() throws Exception {
        Config c = load("""
                turn_port = 3479
                turn_external_address = 203.0.113.7
                turn_relay_ports = 40000 - 40999
                turn_allow_private_peers = true
                """).config();
        assertThat(c.turnPort()).isEqualTo(3479);
        assertThat(c.turnExternalAddress()).isEqualTo("203.0.113.7");
        assertThat(List.of(c.turnRelayPortMin(), c.turnRelayPortMax())).containsExactly(40000, 40999);
        assertThat(c.turnAllowPrivatePeers()).isTrue();
        assertThat(load("turn_port = 0\n").config().turnPort()).isZero();
        assertThat(load("turn_server = turn.example.org:3478\nturn_secret = s\n").config().turnServer())
                .isEqualTo("turn.example.org:3478");
        assertThat(load("turn_server = 198.51.100.7:3478\nturn_secret = s\n").config().turnServer())
                .isEqualTo("198.51.100.7:3478");
    }

    @Test
    void aTurnServerWithoutSecretIsAnErrorNamingTheKey() {
        assertThatThrownBy(() -> load("turn_server = turn.example.org:3478\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("turn_server is set but turn_secret is not");
    }

    @Test
    void turnCredentialsShorterThanADayAreAWarning() throws Exception {
        LoadedConfig loaded = load("turn_credential_lifetime = 12h\n");
        assertThat(loaded.config().turnCredentialLifetime()).isEqualTo(Duration.ofHours(12));
        assertThat(loaded.warnings()).singleElement().asString().contains("turn_credential_lifetime", "below 1 day");
        assertThat(load("turn_credential_lifetime = 1d\n").warnings()).isEmpty();
    }

    @Test
    void usernameMinimumAboveMaximumIsAnError() {
        assertThatThrownBy(() -> load("username_min_length = 10\nusername_max_length = 8\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("username_min_length (10)")
                .hasMessageContaining("username_max_length (8)");
    }

    @Test
    void aFileErrorNamesTheFileAndLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("chatmail.ini"), "[params]\nmail_domain = x.org\nbroken\n");
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 3");
    }

    @Test
    void storageIsSqliteUnlessPostgresqlIsChosenWithAUrl() throws Exception {
        assertThat(load("").config().storage()).isEqualTo(StorageSettings.sqlite());
        StorageSettings pg = load("storage = postgresql\npostgresql_url = jdbc:postgresql://127.0.0.1:5433/chatmail?user=c\n"
                + "postgresql_password_file = /etc/chatmail/pgpass\n").config().storage();
        assertThat(pg).isEqualTo(StorageSettings.postgresql("jdbc:postgresql://127.0.0.1:5433/chatmail?user=c",
                java.nio.file.Path.of("/etc/chatmail/pgpass")));
        assertThatThrownBy(() -> load("storage = postgresql\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage = postgresql needs postgresql_url");
        assertThatThrownBy(() -> load("storage = mysql\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("expected sqlite or postgresql");
        assertThatThrownBy(() -> load("storage = postgresql\npostgresql_url = postgres://u:secret@h/db\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must start with jdbc:postgresql://")
                .hasMessageNotContaining("secret");
    }

    @Test
    void docsTableListsEveryKey() throws Exception {
        String docs = Files.readString(chatmail.testing.ProjectDir.resolve("docs/configuration.md"));
        for (ConfigKey key : ConfigKey.values()) {
            assertThat(docs).as(key.iniName()).contains("| `" + key.iniName() + "` |");
        }
    }

    @Test
    void metricsAreOffUnlessAnAddressIsGiven() throws Exception {
        assertThat(load("").config().metricsAddress()).isNull();
        assertThat(load("metrics_address = 127.0.0.1:9100\n").config().metricsAddress()).isEqualTo("127.0.0.1:9100");
        assertThat(load("metrics_address = [::1]:9100\n").config().metricsAddress()).isEqualTo("[::1]:9100");
        assertThatThrownBy(() -> load("metrics_address = 127.0.0.1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics_address = \"127.0.0.1\"").hasMessageContaining("host:port");
    }

    @Test
    void theReferencesMtailAddressMeansPort3903AndSaysSo() throws Exception {
        LoadedConfig mtail = load("mtail_address = 127.0.0.1\n");
        assertThat(mtail.config().metricsAddress()).isEqualTo("127.0.0.1:3903");
        assertThat(mtail.warnings()).anyMatch(w -> w.contains("mtail_address is read as metrics_address = 127.0.0.1:3903"));
        assertThat(load("mtail_address = ::1\n").config().metricsAddress()).isEqualTo("[::1]:3903");

        LoadedConfig both = load("mtail_address = 127.0.0.1\nmetrics_address = 127.0.0.2:9100\n");
        assertThat(both.config().metricsAddress()).isEqualTo("127.0.0.2:9100");
        assertThat(both.warnings()).anyMatch(w -> w.contains("mtail_address is ignored: metrics_address is set"));
    }
}
