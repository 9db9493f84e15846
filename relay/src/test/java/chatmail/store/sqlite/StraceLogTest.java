package chatmail.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import chatmail.store.sqlite.StraceLog.Call;
import java.util.List;
import org.junit.jupiter.api.Test;

class StraceLogTest {

    @Test
    void joinsInterruptedCallsAndNamesTheFilesBehindFds() {
        List<Call> calls = StraceLog.parse(List.of(
                "100 openat(AT_FDCWD, \"/d/a.tmp\", O_WRONLY|O_CREAT|O_EXCL, 0666) = 7",
                "101 openat(AT_FDCWD, \"/d/db-wal\", O_RDWR <unfinished ...>",
                "100 fsync(7 <unfinished ...>",
                "101 <... openat resumed>) = 8",
                "100 <... fsync resumed>)                = 0",
                "100 rename(\"/d/a.tmp\", \"/d/a\") = 0",
                "100 openat(AT_FDCWD, \"/d\", O_RDONLY) = 7",
                "[pid   101] fdatasync(8) = 0",
                "100 fsync(7) = 0",
                "100 openat(AT_FDCWD, \"/missing\", O_RDONLY) = -1 ENOENT (No such file or directory)",
                "100 +++ exited with 0 +++"));

        assertThat(calls).extracting(Call::name).containsExactly(
                "openat", "openat", "fsync", "rename", "openat", "fdatasync", "fsync", "openat");
        Call firstSync = calls.get(2);
        assertThat(firstSync.path()).isEqualTo("/d/a.tmp");
        assertThat(firstSync.start()).isEqualTo(2);
        assertThat(firstSync.end()).isEqualTo(4);
        assertThat(calls.get(3).path()).isEqualTo("/d/a.tmp");
        assertThat(calls.get(3).target()).isEqualTo("/d/a");
        assertThat(calls.get(5).path()).isEqualTo("/d/db-wal");
        assertThat(calls).extracting(Call::thread).containsExactly(100L, 101L, 100L, 100L, 100L, 101L, 100L, 100L);
        assertThat(calls.get(6).path()).as("fd 7 reused for the directory").isEqualTo("/d");
        assertThat(calls.get(7).succeeded()).isFalse();
    }
}
