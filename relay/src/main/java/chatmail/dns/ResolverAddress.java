package chatmail.dns;

import java.net.InetSocketAddress;

/** Parses the {@code dns_resolver} value (CFG-2): {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address. */
public final class ResolverAddress {
    static final int DNS_PORT = 53;

    private ResolverAddress() {}

    public static InetSocketAddress parse(String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("dns_resolver is empty");
        }
        String host;
        int port = DNS_PORT;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("dns_resolver " + value + ": missing ']'");
            }
            host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("dns_resolver " + value + ": expected :port after ']'");
                }
                port = port(rest.substring(1), value);
            }
        } else if (v.indexOf(':') >= 0 && v.indexOf(':') == v.lastIndexOf(':')) {
            host = v.substring(0, v.indexOf(':'));
            port = port(v.substring(v.indexOf(':') + 1), value);
        } else {
            host = v; // a host name, an IPv4 address or a bare IPv6 address
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int port(String text, String value) {
        try {
            int p = Integer.parseInt(text);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dns_resolver " + value + ": port must be 1-65535");
        }
    }
}
