package chatmail.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the text of one INI entry into a typed value, or a {@link ConfigException} that names
 * the key, the value and what was expected.
 */
final class ConfigValues {
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\+?[0-9]{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");
    private static final Pattern SIZE =
            Pattern.compile("([0-9]{1,18})\\s*(?:([kmgt])(?:i?b)?|(b))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION =
            Pattern.compile("([0-9]{1,12})\\s*([smhd])?", Pattern.CASE_INSENSITIVE);
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern DOMAIN_LABEL = Pattern.compile("[a-z0-9_-]{1,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.-]{1,253}");
    private static final Pattern DKIM_SELECTOR = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private ConfigValues() {}

    static ConfigException invalid(IniEntry entry, String expected) {
        String shown = entry.value().replace("\n", "\\n");
        return new ConfigException(entry.key() + " = \"" + shown + "\" (line " + entry.line()
                + ") is not valid: expected " + expected);
    }

    static int wholeNumber(IniEntry e, int min, int max) throws ConfigException {
        String expected = max == Integer.MAX_VALUE
                ? "a whole number of at least " + min
                : "a whole number from " + min + " to " + max;
        if (!WHOLE_NUMBER.matcher(e.value()).matches()) throw invalid(e, expected);
        long n = Long.parseLong(e.value());
        if (n < min || n > max) throw invalid(e, expected);
        return (int) n;
    }

    static int port(IniEntry e) throws ConfigException {
        if (!WHOLE_NUMBER.matcher(e.value()).matches()) throw invalid(e, "a port from 0 to 65535 (0 = off)");
        long n = Long.parseLong(e.value());
        if (n > 65535) throw invalid(e, "a port from 0 to 65535 (0 = off)");
        return (int) n;
    }

    static double decimal(IniEntry e) throws ConfigException {
        if (!DECIMAL.matcher(e.value()).matches()) throw invalid(e, "a number such as 5 or 2.5");
        return Double.parseDouble(e.value());
    }

    /** A byte count with an optional K/M/G/T suffix (powers of 1024); a bare number counts bareUnit. */
    static long size(IniEntry e, long bareUnit) throws ConfigException {
        String expected = bareUnit == 1
                ? "a number of bytes, or a size such as 30M"
                : "a size such as 500M, 2G, 100MB, 1g or a bare number of MiB";
        Matcher m = SIZE.matcher(e.value());
        if (!m.matches()) throw invalid(e, expected);
        long unit = bareUnit;
        if (m.group(3) != null) {
            unit = 1;
        } else if (m.group(2) != null) {
            unit = switch (Character.toLowerCase(m.group(2).charAt(0))) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 1L << 40;
            };
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException tooLarge) {
            throw invalid(e, expected);
        }
    }

    static boolean bool(IniEntry e) throws ConfigException {
        return switch (e.value().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(e, "true or false (also yes/no, on/off, 1/0)");
        };
    }

    /** Seconds, or a number with s, m, h or d; must be positive. */
    static Duration duration(IniEntry e) throws ConfigException {
        String expected = "a positive duration: seconds, or a number with s, m, h or d such as 5d";
        Matcher m = DURATION.matcher(e.value());
        if (!m.matches()) throw invalid(e, expected);
        long n = Long.parseLong(m.group(1));
        if (n == 0) throw invalid(e, expected);
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    static URI httpUri(IniEntry e) throws ConfigException {
        String expected = "an absolute http or https URL such as https://notifications.delta.chat/notify";
        try {
            URI uri = new URI(e.value());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw invalid(e, expected);
            }
            return uri;
        } catch (URISyntaxException notAUri) {
            throw invalid(e, expected);
        }
    }

    static URI httpsUri(IniEntry e) throws ConfigException {
        String expected = "an absolute https URL such as https://acme-v02.api.letsencrypt.org/directory";
        try {
            URI uri = new URI(e.value());
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw invalid(e, expected);
            }
            return uri;
        } catch (URISyntaxException notAUri) {
            throw invalid(e, expected);
        }
    }

    static StorageSettings.Kind storageKind(IniEntry e) throws ConfigException {
        return switch (e.value().strip().toLowerCase(java.util.Locale.ROOT)) {
            case "sqlite" -> StorageSettings.Kind.SQLITE;
            case "postgresql" -> StorageSettings.Kind.POSTGRESQL;
            default -> throw invalid(e, "sqlite or postgresql");
        };
    }

    /** A pgjdbc URL; its text is never repeated in an error, since it may carry a password. */
    static String postgresqlUrl(IniEntry e) throws ConfigException {
        String url = e.value().strip();
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("line " + e.line() + ": postgresql_url must start with jdbc:postgresql://");
        }
        return url;
    }

    static Path path(IniEntry e) throws ConfigException {
        try {
            return Path.of(e.value());
        } catch (InvalidPathException notAPath) {
            throw invalid(e, "a file system path");
        }
    }

    /** Exactly two paths separated by white space: certificate chain, then private key. */
    static Path[] certAndKey(IniEntry e) throws ConfigException {
        String expected = "two paths separated by a space: certificate file, then key file";
        String[] parts = e.value().split("\\s+");
        if (parts.length != 2) throw invalid(e, expected);
        try {
            return new Path[] {Path.of(parts[0]), Path.of(parts[1])};
        } catch (InvalidPathException notAPath) {
            throw invalid(e, expected);
        }
    }

    static List<String> ipAddresses(IniEntry e) throws ConfigException {
        String expected = "IP addresses separated by commas, such as :: or 0.0.0.0, 127.0.0.1";
        List<String> result = new ArrayList<>();
        for (String part : e.value().split(",", -1)) {
            String address = part.strip();
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            if (!isIpLiteral(address)) throw invalid(e, expected);
            result.add(address);
        }
        return result;
    }

    /** host, host:port, an IPv6 literal, or [IPv6]:port. */
    static String hostAndPort(IniEntry e, boolean portRequired) throws ConfigException {
        String expected = portRequired ? "host:port, such as turn.example.org:3478"
                : "host or host:port, such as 9.9.9.9 or 127.0.0.1:5353";
        String v = e.value();
        String host;
        String port = null;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) throw invalid(e, expected);
            host = v.substring(1, close);
            String rest = v.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) throw invalid(e, expected);
                port = rest.substring(1);
            }
            if (!isIpLiteral(host) || !host.contains(":")) throw invalid(e, expected);
        } else if (v.indexOf(':') != v.lastIndexOf(':')) {
            host = v; // bare IPv6 literal: cannot carry a port
            if (!isIpLiteral(host)) throw invalid(e, expected);
        } else {
            int colon = v.indexOf(':');
            host = colon < 0 ? v : v.substring(0, colon);
            port = colon < 0 ? null : v.substring(colon + 1);
            if (!HOST.matcher(host).matches()) throw invalid(e, expected);
        }
        if (port == null) {
            if (portRequired) throw invalid(e, expected);
        } else if (!WHOLE_NUMBER.matcher(port).matches() || Long.parseLong(port) < 1
                || Long.parseLong(port) > 65535) {
            throw invalid(e, expected);
        }
        return v;
    }

    /** The reference's mtail_address: an IP address, served on mtail's port 3903; host:port as given. */
    static String mtailAddress(IniEntry e) throws ConfigException {
        String v = e.value();
        if (isIpLiteral(v)) {
            return v.contains(":") ? "[" + v + "]:3903" : v + ":3903";
        }
        return hostAndPort(e, true);
    }

    /**
     * host:port of a TURN server; the Delta Chat core splits the METADATA value at {@code :}, so an
     * IPv6 literal cannot be told apart from the port (SPEC TURN-1).
     */
    static String turnServer(IniEntry e) throws ConfigException {
        String expected = "host:port with a host name or IPv4 address (the Delta Chat core splits at ':', "
                + "so no IPv6 literal), such as turn.example.org:3478";
        if (e.value().startsWith("[") || e.value().indexOf(':') != e.value().lastIndexOf(':')) {
            throw invalid(e, expected);
        }
        try {
            return hostAndPort(e, true);
        } catch (ConfigException notHostAndPort) {
            throw invalid(e, expected);
        }
    }

    /** One IP address, not a wildcard. */
    static String ipAddress(IniEntry e) throws ConfigException {
        String expected = "one IP address such as 203.0.113.7 or 2001:db8::7";
        String address = e.value().strip();
        if (!isIpLiteral(address) || InetAddress.ofLiteral(address).isAnyLocalAddress()) {
            throw invalid(e, expected);
        }
        return address;
    }

    /** low-high, two ports with low below high. */
    static int[] portRange(IniEntry e) throws ConfigException {
        String expected = "a range of UDP ports low-high such as 49152-65535, low from 1024 and below high";
        String[] parts = e.value().split("-", -1);
        if (parts.length != 2) {
            throw invalid(e, expected);
        }
        String low = parts[0].strip();
        String high = parts[1].strip();
        if (!WHOLE_NUMBER.matcher(low).matches() || !WHOLE_NUMBER.matcher(high).matches()) {
            throw invalid(e, expected);
        }
        long l = Long.parseLong(low);
        long h = Long.parseLong(high);
        if (l < 1024 || h > 65535 || l >= h) {
            throw invalid(e, expected);
        }
        return new int[] {(int) l, (int) h};
    }

    static String dkimSelector(IniEntry e) throws ConfigException {
        if (!DKIM_SELECTOR.matcher(e.value()).matches()) {
            throw invalid(e, "a DNS label such as opendkim (letters, digits, - and _)");
        }
        return e.value();
    }

    /** A domain name or IPv4 address, lower-cased. */
    static String mailDomain(IniEntry e) throws ConfigException {
        String expected = "a domain name such as chat.example.org, or an IPv4 address";
        String domain = e.value().toLowerCase(Locale.ROOT);
        if (IPV4.matcher(domain).matches()) {
            for (String octet : domain.split("\\.")) {
                if (Integer.parseInt(octet) > 255) throw invalid(e, expected);
            }
            return domain;
        }
        if (domain.length() > 253) throw invalid(e, expected);
        for (String label : domain.split("\\.", -1)) {
            if (!DOMAIN_LABEL.matcher(label).matches()) throw invalid(e, expected);
        }
        return domain;
    }

    /** Dotted-quad IPv4 or IPv6; never asks DNS. Shorthands such as "127.1" are refused. */
    private static boolean isIpLiteral(String s) {
        if (!s.contains(":") && !IPV4.matcher(s).matches()) return false;
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException notALiteral) {
            return false;
        }
    }
}
