package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The footprint bench reports one idle reading, the median by total, not a mix of several. */
class IdleMedianTest {
    private static ResidentMemory mib(long anon, long file) {
        return new ResidentMemory(anon << 20, file << 20, 0, (anon + file) << 20);
    }

    @Test
    void theMedianIsOneWholeSampleChosenByItsTotal() {
        ResidentMemory low = mib(60, 40);
        ResidentMemory middle = mib(75, 30);
        ResidentMemory high = mib(70, 40);

        assertThat(FootprintRun.medianByTotal(List.of(high, low, middle))).isSameAs(middle);
        assertThat(FootprintRun.medianByTotal(List.of(high, low))).as("the lower middle of two").isSameAs(low);
        assertThat(FootprintRun.medianByTotal(List.of(high))).isSameAs(high);
        assertThat(FootprintRun.medianByTotal(List.of())).isNull();
    }
}
