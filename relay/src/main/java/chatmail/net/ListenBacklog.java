package chatmail.net;

/**
 * The listen queue of every TCP listener (SMTP, IMAP, 443's router, plain HTTP). After a restart
 * every device reconnects at once: with 1,024, 4,000 logins at once overflowed it 2,066 times
 * (bench bigday, docs/benchmarks.md), and each of those clients waited for its SYN to be sent
 * again (1 s, then 3 s). The kernel caps it at net.core.somaxconn (4,096 by default since Linux
 * 5.4).
 */
public final class ListenBacklog {
    public static final int SIZE = 4096;

    private ListenBacklog() {
    }
}
