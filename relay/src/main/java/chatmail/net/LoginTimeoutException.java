package chatmail.net;

import java.net.SocketTimeoutException;

/**
 * The client did not log in (port 25: send MAIL) within {@code login_timeout} of connecting
 * (SPEC SEC-3), however busy it kept the connection. A {@link SocketTimeoutException}, so a
 * session that does not tell the two apart still ends; one that does answers with its limit
 * refusal instead of its inactivity one.
 */
public final class LoginTimeoutException extends SocketTimeoutException {
    public LoginTimeoutException() {
        super("login timeout exceeded");
    }
}
