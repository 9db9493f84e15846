package chatmail.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Start-up checks that need more than the file's text: the TLS mode can actually be served
 * (SPEC CFG-4, OPS-1) and the files the configuration names can be read. The run command calls this
 * before it opens any port.
 */
public final class ConfigValidator {
    private ConfigValidator() {}

    public static void checkRunnable(Config config) throws ConfigException {
        switch (config.tlsMode()) {
            case ACME -> {
                if (config.httpPort() == 0 && config.httpsPort() == 0) {
                    throw new ConfigException("mail_domain " + config.mailDomain() + " gets its certificate from"
                            + " ACME, whose CA must reach the relay on http_port (HTTP-01) or https_port"
                            + " (TLS-ALPN-01), but http_port and https_port are both 0. Set one of them (a port"
                            + " forward may map it to 80 or 443), or set tls_external_cert_and_key ="
                            + " /path/to/fullchain.pem /path/to/privkey.pem.");
                }
            }
            case EXTERNAL -> {
                if (config.tlsKeyFile() == null) {
                    throw new ConfigException("tls_external_cert_and_key names a certificate but no key file");
                }
                readable(config.tlsCertFile(), "tls_external_cert_and_key certificate file");
                readable(config.tlsKeyFile(), "tls_external_cert_and_key key file");
            }
            case SELF_SIGNED -> { }
        }
        if (config.trustedCaFile() != null) readable(config.trustedCaFile(), "trusted_ca_file");
    }

    private static void readable(Path file, String what) throws ConfigException {
        if (!Files.exists(file)) throw new ConfigException(what + " " + file + " does not exist");
        if (!Files.isRegularFile(file)) throw new ConfigException(what + " " + file + " is not a regular file");
        if (!Files.isReadable(file)) throw new ConfigException(what + " " + file + " is not readable");
    }
}
