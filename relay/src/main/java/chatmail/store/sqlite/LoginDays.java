package chatmail.store.sqlite;

import java.time.LocalDate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which accounts already have a login recorded for the current day, so repeated logins on
 * one day cost no write. Only one day is kept: the set starts empty when the day moves on,
 * so it never holds more than the accounts seen today.
 */
final class LoginDays {
    private record Day(LocalDate day, Set<Long> accounts) {}

    private volatile Day current = new Day(LocalDate.MIN, ConcurrentHashMap.newKeySet());

    boolean isRecorded(long accountId, LocalDate day) {
        Day snapshot = current;
        return snapshot.day.equals(day) && snapshot.accounts.contains(accountId);
    }

    void markRecorded(long accountId, LocalDate day) {
        Day snapshot = current;
        if (day.isAfter(snapshot.day)) {
            synchronized (this) {
                if (day.isAfter(current.day)) {
                    current = new Day(day, ConcurrentHashMap.newKeySet());
                }
                snapshot = current;
            }
        }
        if (snapshot.day.equals(day)) {
            snapshot.accounts.add(accountId);
        }
    }

    void forget(long accountId) {
        current.accounts.remove(accountId);
    }
}
