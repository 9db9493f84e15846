package chatmail.bench.hostile;

/** A listener an attacker connects to: its name, port, and whether TLS starts at once. */
record Service(String name, int port, boolean implicitTls) {

    static java.util.List<Service> preLogin(HostileTarget t) {
        return java.util.List.of(new Service("SMTP 25", t.smtp(), false), new Service("submission 587", t.submission(), false),
                new Service("submissions 465", t.submissions(), true), new Service("IMAP 143", t.imap(), false),
                new Service("IMAPS 993", t.imaps(), true));
    }
}
