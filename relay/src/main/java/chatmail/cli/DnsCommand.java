package chatmail.cli;

import chatmail.acme.CaaIdentity;
import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.dkim.DkimKey;
import chatmail.dkim.DkimKeyFiles;
import chatmail.dns.DnsCheckLog;
import chatmail.dns.DnsResolver;
import chatmail.dns.DnsTemporaryException;
import chatmail.dns.RelayZone;
import chatmail.dns.ZoneCheck;
import chatmail.dns.ZoneRecord;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dns", description = {
        "Print the DNS records this relay needs, in zone-file (BIND) format (SPEC OPS-2).",
        "With --check, compare them with the live DNS: dns_resolver when set, else the domain's",
        "authoritative servers. Exit code 1 when a required record is missing or wrong."})
final class DnsCommand implements Callable<Integer> {

    @Mixin
    ConfigOption configOption;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--check", description = "Compare the records with the live DNS.")
    boolean check;

    @Option(names = "--address", paramLabel = "IP",
            description = "A public address of this relay (repeatable). Default: listen_addresses when they are"
                    + " specific public addresses, else the machine's global addresses; placeholders when none.")
    List<String> addresses = new ArrayList<>();

    @Override
    public Integer call() throws ConfigException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The zone goes to stdout for a zone file; dnsjava's debug lines must not end up in it.
        if (LoggerFactory.getLogger("org.xbill.DNS") instanceof ch.qos.logback.classic.Logger dnsjava) {
            dnsjava.setLevel(ch.qos.logback.classic.Level.INFO);
        }
        Config config = configOption.config(err);
        if (config.ipOnly()) {
            out.println("; " + config.mailDomain() + " is an IP-only relay: it needs no DNS records.");
            return ExitCodes.OK;
        }
        List<InetAddress> publicAddresses;
        try {
            publicAddresses = addresses.isEmpty() ? detectAddresses(config) : parse(addresses);
        } catch (UnknownHostException e) {
            err.println("chatmail: --address must be an IP address: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        }
        DkimKey key = DkimKeyFiles.loadOrGenerate(config.dataDir(), config.dkimSelector());
        Optional<String> caaIssuer = config.tlsMode() == Config.TlsMode.ACME
                ? CaaIdentity.of(config.acmeDirectory()) : Optional.empty();
        List<ZoneRecord> records = RelayZone.records(config.mailDomain(), publicAddresses, key.selector(),
                key.txtStrings(), caaIssuer);
        out.print(RelayZone.bind(records));
        if (config.tlsMode() == Config.TlsMode.ACME && caaIssuer.isEmpty()) {
            out.println("; no CAA record: the CAA name of the CA at " + config.acmeDirectory().getHost()
                    + " is not known here; if you publish CAA records, one must be"
                    + " 0 issue \"<that CA's name from its documentation>\"");
        }
        out.flush();
        if (!check) {
            return ExitCodes.OK;
        }
        return check(config, records, out, err);
    }

    private int check(Config config, List<ZoneRecord> records, PrintWriter out, PrintWriter err) {
        DnsResolver dns;
        try {
            if (config.dnsResolver() != null && !config.dnsResolver().isBlank()) {
                dns = DnsResolver.fromConfig(config, ZoneCheck.TIMEOUT);
                out.println("; checking against dns_resolver " + config.dnsResolver());
            } else {
                List<InetSocketAddress> servers = ZoneCheck.authoritativeServers(config.mailDomain(),
                        DnsResolver.fromConfig(config, ZoneCheck.TIMEOUT));
                dns = new DnsResolver(servers, ZoneCheck.TIMEOUT);
                out.println("; checking against the authoritative servers of " + config.mailDomain());
            }
        } catch (DnsTemporaryException e) {
            err.println("chatmail: cannot find the name servers to ask: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        int problems = 0;
        for (ZoneCheck.Finding f : ZoneCheck.check(records, dns)) {
            ZoneRecord r = f.expected();
            String what = r.name() + " " + r.type();
            if (!f.problem()) {
                out.println("; ok       " + what);
                continue;
            }
            String detail = f.found().isEmpty() ? "" : " (found: " + f.found() + ")";
            if (r.required()) {
                problems++;
                out.println("; " + String.format("%-8s", f.status()) + " " + what + " (required)" + detail);
            } else {
                out.println("; " + String.format("%-8s", f.status()) + " " + what + " (recommended)" + detail);
            }
        }
        out.println(problems == 0 ? "; all required records are in place"
                : "; " + problems + " required record(s) missing or wrong");
        out.println(StoredCertificate.describe(config));
        out.flush();
        try {
            DnsCheckLog.write(config.dataDir(), new DnsCheckLog.Entry(java.time.Instant.now(), problems));
        } catch (java.io.IOException e) {
            err.println("chatmail: warning: cannot record the result for chatmail status: " + e.getMessage());
        }
        return problems == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private static List<InetAddress> parse(List<String> values) throws UnknownHostException {
        List<InetAddress> result = new ArrayList<>();
        for (String v : values) {
            if (!v.matches("[0-9a-fA-F:.]+")) {
                throw new UnknownHostException(v);
            }
            result.add(InetAddress.getByName(v));
        }
        return result;
    }

    /** Specific public listen addresses, else the global unicast addresses of this machine. */
    static List<InetAddress> detectAddresses(Config config) {
        List<InetAddress> configured = new ArrayList<>();
        for (String a : config.listenAddresses()) {
            try {
                InetAddress address = InetAddress.getByName(a);
                if (isPublic(address)) {
                    configured.add(address);
                }
            } catch (UnknownHostException ignored) {
                // not an address we can publish
            }
        }
        if (!configured.isEmpty()) {
            return configured;
        }
        List<InetAddress> found = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (isPublic(address) && !(config.disableIpv6() && address instanceof java.net.Inet6Address)) {
                        found.add(address);
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return found;
    }

    private static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
        boolean sharedV4 = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // 100.64.0.0/10 (CGNAT)
        return !uniqueLocalV6 && !sharedV4;
    }
}
