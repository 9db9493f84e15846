package chatmail.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxResourceProbeTest {

    @Test
    void readsThisMachinesNumbers(@TempDir Path dir) throws Exception {
        ResourceProbe.Resources r = new LinuxResourceProbe(dir).current();

        String loadavg = Files.readString(Path.of("/proc/loadavg"));
        assertThat(r.load1m()).isGreaterThanOrEqualTo(0).isLessThan(10_000);
        assertThat(r.load1m()).isCloseTo(Double.parseDouble(loadavg.split(" ")[0]), org.assertj.core.data.Offset.offset(5.0));
        assertThat(r.availableMemoryBytes()).isPositive().isLessThan(Long.MAX_VALUE / 2);
        long usable = Files.getFileStore(dir).getUsableSpace();
        assertThat(r.freeDiskBytes()).isPositive().isLessThanOrEqualTo(Files.getFileStore(dir).getTotalSpace());
        assertThat((double) r.freeDiskBytes()).isCloseTo(usable, org.assertj.core.data.Percentage.withPercentage(5));
    }
}
