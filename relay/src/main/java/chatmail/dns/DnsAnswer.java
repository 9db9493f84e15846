package chatmail.dns;

import java.time.Duration;
import java.util.List;
import org.xbill.DNS.Record;

/** What an authoritative answer said about one name and type; temporary failures are exceptions. */
public sealed interface DnsAnswer {

    /** Records of the asked type (after any CNAME chain the server followed), with the smallest TTL. */
    record Records(List<Record> records, Duration ttl) implements DnsAnswer {
        public Records {
            records = List.copyOf(records);
        }
    }

    /** The name exists but has no records of this type. */
    record NoData() implements DnsAnswer {}

    /** NXDOMAIN: the name does not exist. */
    record NoSuchName() implements DnsAnswer {}
}
