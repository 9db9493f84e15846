package chatmail.tls;

/** The TLS set-up cannot start: missing or unusable certificate material, or an unsupported mode. */
public class TlsConfigurationException extends RuntimeException {
    public TlsConfigurationException(String message) {
        super(message);
    }

    public TlsConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
