package chatmail.backup;

import java.util.List;

/** What of data_dir besides the store a backup carries: keys and switches, by their paths there. */
final class KeyFiles {
    /** Directories taken whole: the DKIM key, TLS keys and certificates, the ACME account and certificate. */
    static final List<String> DIRECTORIES = List.of("dkim", "tls", "acme");
    /** Single files: the TURN secret, the account-creation switch. */
    static final List<String> FILES = List.of("turn_secret", "nocreate");
    static final String DATABASE = "chatmail.sqlite";
    static final String BLOBS = "blobs";

    private KeyFiles() {}

    /** True when {@code path} (relative, '/'-separated) is something a backup may put into data_dir. */
    static boolean restorable(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0")) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        if (path.equals(DATABASE) || FILES.contains(path)) {
            return true;
        }
        if (path.matches(BLOBS + "/[0-9a-f]{2}/[0-9a-f]{32}")) {
            return path.substring(6, 8).equals(path.substring(9, 11));
        }
        int slash = path.indexOf('/');
        return slash > 0 && DIRECTORIES.contains(path.substring(0, slash));
    }
}
