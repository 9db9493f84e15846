package chatmail.dns;

import java.util.List;

/** Where mail for a domain goes (DLV-1). Temporary failures are {@link DnsTemporaryException}s. */
public sealed interface MxAnswer {

    /**
     * Host names to try in this order.
     *
     * @param implicit true when the domain has no MX records and the domain itself is the host
     */
    record Hosts(List<String> hosts, boolean implicit) implements MxAnswer {
        public Hosts {
            hosts = List.copyOf(hosts);
        }
    }

    /** RFC 7505 null MX ({@code 0 .}): the domain accepts no mail. Permanent. */
    record NullMx() implements MxAnswer {}

    /** NXDOMAIN: the domain does not exist. Permanent. */
    record NoSuchDomain() implements MxAnswer {}
}
