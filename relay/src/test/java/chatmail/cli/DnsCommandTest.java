package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.dkim.DkimKeyFiles;
import chatmail.dns.NsdServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code chatmail dns} (OPS-2): the printed zone loads into a real DNS server and --check agrees with it. */
class DnsCommandTest {

    record Run(int exitCode, String out) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out + err.toString());
    }

    @Test
    void printedZoneServedByNsdPassesTheCheckAndFailsWithoutMx(@TempDir Path dir) throws Exception {
        try (NsdServer nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")))) {
            nsd.zone("relay.test", "@ IN A 203.0.113.5").start(); // to learn the port
            Path ini = dir.resolve("chatmail.ini");
            Files.writeString(ini, "[params]\nmail_domain = relay.test\ndata_dir = " + dir.resolve("data")
                    + "\ndns_resolver = " + nsd.resolverSetting() + "\n");

            Run printed = run("dns", "-c", ini.toString(), "--address", "203.0.113.5", "--address", "2001:db8::5");
            assertThat(printed.exitCode()).isZero();
            String zone = printed.out();
            assertThat(zone).containsPattern("relay\\.test\\.\\s+3600 IN A\\s+203\\.0\\.113\\.5")
                    .containsPattern("relay\\.test\\.\\s+3600 IN AAAA\\s+2001:db8:0:0:0:0:0:5")
                    .containsPattern("relay\\.test\\.\\s+3600 IN MX\\s+10 relay\\.test\\.")
                    .containsPattern("_mta-sts\\.relay\\.test\\.\\s+3600 IN TXT\\s+\"v=STSv1; id=[0-9a-f]{16}\"")
                    .containsPattern("mta-sts\\.relay\\.test\\.\\s+3600 IN CNAME relay\\.test\\.")
                    .containsPattern("www\\.relay\\.test\\.\\s+3600 IN CNAME relay\\.test\\.")
                    .containsPattern("autoconfig\\.relay\\.test\\.\\s+3600 IN CNAME relay\\.test\\.")
                    .contains("\"v=spf1 a ~all\"", "\"v=DMARC1;p=reject;adkim=s;aspf=s\"", "CAA   0 issue \"letsencrypt.org\"")
                    .containsPattern("_submission\\._tcp\\.relay\\.test\\.\\s+3600 IN SRV\\s+0 1 587 relay\\.test\\.")
                    .containsPattern("_submissions\\._tcp\\.relay\\.test\\.\\s+3600 IN SRV\\s+0 1 465 relay\\.test\\.")
                    .containsPattern("_imap\\._tcp\\.relay\\.test\\.\\s+3600 IN SRV\\s+0 1 143 relay\\.test\\.")
                    .containsPattern("_imaps\\._tcp\\.relay\\.test\\.\\s+3600 IN SRV\\s+0 1 993 relay\\.test\\.");
            // The DKIM record carries this relay's key, in strings of at most 255 characters.
            String keyTxt = DkimKeyFiles.loadOrGenerate(dir.resolve("data"), "opendkim").txtValue();
            Matcher dkim = Pattern.compile("opendkim\\._domainkey\\.relay\\.test\\.\\s+3600 IN TXT\\s+(.*)").matcher(zone);
            assertThat(dkim.find()).isTrue();
            var strings = Pattern.compile("\"([^\"]*)\"").matcher(dkim.group(1)).results().map(m -> m.group(1)).toList();
            assertThat(strings).hasSizeGreaterThan(1).allMatch(s -> s.length() <= 255);
            assertThat(String.join("", strings)).isEqualTo(keyTxt);

            nsd.zone("relay.test", zone).start();
            Run ok = run("dns", "--check", "-c", ini.toString(), "--address", "203.0.113.5", "--address", "2001:db8::5");
            assertThat(ok.out()).contains("all required records are in place");
            assertThat(ok.out()).contains("; certificate: none from ACME yet (acme-v02.api.letsencrypt.org)");
            assertThat(ok.exitCode()).isZero();

            String withoutMx = zone.lines().filter(l -> !l.contains(" MX ")).collect(Collectors.joining("\n"));
            nsd.zone("relay.test", withoutMx).start();
            Run missing = run("dns", "--check", "-c", ini.toString(), "--address", "203.0.113.5", "--address", "2001:db8::5");
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.out()).containsPattern("MISSING\\s+relay\\.test\\. MX \\(required\\)");

            String otherKey = zone.replaceAll("(_domainkey\\.relay\\.test\\.\\s+3600 IN TXT\\s+).*", "$1\"v=DKIM1; k=rsa; p=AAAA\"");
            nsd.zone("relay.test", otherKey).start();
            Run wrong = run("dns", "--check", "-c", ini.toString(), "--address", "203.0.113.5", "--address", "2001:db8::5");
            assertThat(wrong.exitCode()).isEqualTo(1);
            assertThat(wrong.out()).containsPattern("WRONG\\s+opendkim\\._domainkey\\.relay\\.test\\. TXT \\(required\\)");

            String withoutSpf = zone.lines().filter(l -> !l.contains("v=spf1")).collect(Collectors.joining("\n"));
            nsd.zone("relay.test", withoutSpf).start();
            Run recommendedOnly = run("dns", "--check", "-c", ini.toString(), "--address", "203.0.113.5", "--address", "2001:db8::5");
            assertThat(recommendedOnly.exitCode()).as("a missing recommended record is only reported").isZero();
            assertThat(recommendedOnly.out()).containsPattern("MISSING\\s+relay\\.test\\. TXT \\(recommended\\)");
        }
    }
    @Test
    void caaRecordNamesTheConfiguredCaOrIsLeftOut(@TempDir Path dir) throws Exception {
        try (NsdServer nsd = NsdServer.in(Files.createDirectories(dir.resolve("dns")))) {
            nsd.zone("relay.test", "@ IN A 203.0.113.5").start();
            String base = "[params]\nmail_domain = relay.test\ndata_dir = " + dir.resolve("data")
                    + "\ndns_resolver = " + nsd.resolverSetting() + "\n";
            Path zeroSsl = dir.resolve("zerossl.ini");
            Files.writeString(zeroSsl, base + "acme_directory = https://acme.zerossl.com/v2/DV90\n");
            Run printed = run("dns", "-c", zeroSsl.toString(), "--address", "203.0.113.5");
            assertThat(printed.exitCode()).isZero();
            assertThat(printed.out()).containsPattern("relay\\.test\\.\\s+3600 IN CAA\\s+0 issue \"sectigo\\.com\"")
                    .doesNotContain("letsencrypt.org");

            // A CAA record for Let's Encrypt does not let ZeroSSL issue: --check says so.
            String letsEncryptCaa = printed.out().replace("\"sectigo.com\"", "\"letsencrypt.org\"");
            nsd.zone("relay.test", letsEncryptCaa).start();
            Run check = run("dns", "--check", "-c", zeroSsl.toString(), "--address", "203.0.113.5");
            assertThat(check.out()).containsPattern("WRONG\\s+relay\\.test\\. CAA \\(recommended\\)");
            nsd.zone("relay.test", printed.out()).start();
            Run fixed = run("dns", "--check", "-c", zeroSsl.toString(), "--address", "203.0.113.5");
            assertThat(fixed.out()).containsPattern("; ok\\s+relay\\.test\\. CAA");

            Path otherCa = dir.resolve("other.ini");
            Files.writeString(otherCa, base + "acme_directory = https://ca.example.net/directory\n");
            Run unknown = run("dns", "-c", otherCa.toString(), "--address", "203.0.113.5");
            assertThat(unknown.exitCode()).isZero();
            assertThat(unknown.out()).doesNotContain(" IN CAA ")
                    .contains("; no CAA record: the CAA name of the CA at ca.example.net is not known here");
        }
    }
}
