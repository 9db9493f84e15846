package chatmail.bench.hostile;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The attacks of {@code bench hostile} and the addresses they come from, built alike in the bench's JVM and in {@link AttackerCommands}. */
final class HostileAttacks {

    /** The attacks by the key {@code --attacks} takes, in the order they start; {@code probe} is the legitimate newcomer. */
    static final List<String> KEYS = List.of("literal", "long-password", "wrong-password", "slowloris", "flood", "smtp-body",
            "mxdeliv", "dkim", "probe");

    private HostileAttacks() {}

    /**
     * The attacks named in {@code keys}, never the newcomer probe, which is not an attacker
     * ({@link #probe}).
     *
     * @param dns the relay's DNS server when it is in this process (it counts the DKIM key lookups), else null
     */
    static List<Attack> build(HostileTarget t, boolean smoke, Collection<String> keys, StubDns dns) {
        boolean s = smoke;
        // Attackers are on 127.0.0.x; the legitimate clients on 127.0.1.x.
        List<InetAddress> slow = addresses(110, s ? 2 : 5);
        List<InetAddress> flood = addresses(150, s ? 2 : 55);
        List<Attack> all = List.of(
                new ImapLiteralAttack(t, addr(101), s ? 5 : 20, (s ? 1 : 4) * 1048576),
                new PasswordAttack(t, addr(102), addr(103), 8000, 3000, s ? 2 : 4),
                new PasswordAttack(t, addr(104), addr(105), 12, 12, s ? 2 : 4),
                new SlowlorisAttack(t, slow, 21, s ? 3000 : 20_000),
                new FloodAttack(t, flooded(t), flood, 21),
                new SmtpBodyAttack(t, addr(120), addr(121), 1, s ? 5 : 20),
                new MxDelivAttack(t, addr(122), addr(123), s ? 5 : 10),
                new DkimHeavyAttack(t, addr(130), 2, dns));
        List<Attack> chosen = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (keys.contains(KEYS.get(i))) {
                chosen.add(all.get(i));
            }
        }
        return chosen;
    }

    /** The legitimate newcomer, when {@code only} asks for it (empty: yes). */
    static List<Attack> probe(HostileTarget t, Collection<String> only) {
        return only.isEmpty() || only.contains("probe")
                ? List.of(new LegitProbe(t, HostileTarget.address("127.0.1.200"), flooded(t)))
                : List.of();
    }

    /** The services the flood fills, which the newcomer probes. */
    static List<Service> flooded(HostileTarget t) {
        return List.of(new Service("SMTP 25", t.smtp(), false), new Service("submissions 465", t.submissions(), true),
                new Service("IMAPS 993", t.imaps(), true), new Service("HTTPS 443", t.https(), true));
    }

    private static InetAddress addr(int last) {
        return HostileTarget.address("127.0.0." + last);
    }

    private static List<InetAddress> addresses(int first, int n) {
        List<InetAddress> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(addr(first + i));
        }
        return l;
    }
}
