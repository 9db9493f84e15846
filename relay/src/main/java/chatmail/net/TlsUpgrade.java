package chatmail.net;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/** Turns an accepted plain socket into a server-side TLS socket, for STARTTLS or implicit TLS. */
@FunctionalInterface
public interface TlsUpgrade {
    SSLSocket upgrade(Socket plain) throws IOException;
}
