package chatmail.config;

/**
 * The configuration cannot be used: a bad value, a missing required key, a named file that does
 * not exist. The message is meant for the operator as it is; the command line exits with code 2.
 */
public class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
