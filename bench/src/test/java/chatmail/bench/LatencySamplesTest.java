package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencySamplesTest {

    @Test
    void percentiles_are_nearest_rank_over_all_samples() {
        LatencySamples s = new LatencySamples();
        for (int i = 100; i >= 1; i--) {
            s.add(i);
        }
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.percentile(50)).isEqualTo(50);
        assertThat(s.percentile(99)).isEqualTo(99);
        assertThat(s.percentile(100)).isEqualTo(100);
        assertThat(s.percentile(0)).isEqualTo(1);
        s.add(1000);
        assertThat(s.max()).isEqualTo(1000);
    }

    @Test
    void no_samples_give_no_number() {
        assertThat(new LatencySamples().percentile(50)).isNaN();
    }

    @Test
    void medians_across_runs_skip_missing_figures() {
        assertThat(Stats.median(3, 1, 2)).isEqualTo(2);
        assertThat(Stats.median(4, 1, 2, 3)).isEqualTo(2.5);
        assertThat(Stats.median(Double.NaN, 5)).isEqualTo(5);
        assertThat(Stats.median()).isNaN();
    }

    @Test
    void ratios_say_which_side_is_better() {
        assertThat(ComparisonTable.ratio(5, 500, false)).isEqualTo("0.010 (better)");
        assertThat(ComparisonTable.ratio(600, 300, true)).isEqualTo("2.00 (better)");
        assertThat(ComparisonTable.ratio(150, 300, true)).isEqualTo("0.50 (worse)");
        assertThat(ComparisonTable.ratio(1, Double.NaN, true)).isEqualTo("–");
    }
}
