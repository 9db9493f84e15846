package chatmail.limits;

import chatmail.metrics.ConnectionService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The logged-in connections of each account: IMAP's per-account cap
 * ({@code max_imap_connections_per_account}, SEC-3), and how to end them all when the account
 * is deleted (SEC-9).
 */
final class AccountSessions {

    private final int imapPerAccount;
    private final Map<Long, List<Admission>> byAccount = new HashMap<>();

    AccountSessions(int imapPerAccount) {
        this.imapPerAccount = Math.max(1, imapPerAccount);
    }

    /** False when the account already has its cap of connections of this service. */
    synchronized boolean register(Admission a, long accountId, Runnable endSession) {
        List<Admission> sessions = byAccount.computeIfAbsent(accountId, id -> new ArrayList<>());
        if (a.service() == ConnectionService.IMAP
                && sessions.stream().filter(s -> s.service() == ConnectionService.IMAP).count() >= imapPerAccount) {
            if (sessions.isEmpty()) {
                byAccount.remove(accountId);
            }
            return false;
        }
        a.accountId = accountId;
        a.endSession = endSession;
        sessions.add(a);
        return true;
    }

    synchronized void unregister(Admission a) {
        if (a.accountId < 0) {
            return;
        }
        List<Admission> sessions = byAccount.get(a.accountId);
        if (sessions != null) {
            sessions.remove(a);
            if (sessions.isEmpty()) {
                byAccount.remove(a.accountId);
            }
        }
    }

    /** The account's connections, taken out of the table: the caller ends them. */
    synchronized List<Admission> removeAll(long accountId) {
        List<Admission> sessions = byAccount.remove(accountId);
        if (sessions == null) {
            return List.of();
        }
        for (Admission a : sessions) {
            a.accountId = -1;
        }
        return sessions;
    }

    synchronized int count(long accountId) {
        List<Admission> sessions = byAccount.get(accountId);
        return sessions == null ? 0 : sessions.size();
    }
}
