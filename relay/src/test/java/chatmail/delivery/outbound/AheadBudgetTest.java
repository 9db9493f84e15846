package chatmail.delivery.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AheadBudgetTest {

    @Test
    void aBurstThenTwoASecondAndNeverMoreThanTheBurstSaved() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        AheadBudget budget = new AheadBudget(now::get);
        for (int i = 0; i < AheadBudget.BURST; i++) {
            assertThat(budget.take()).as("connection %d of the burst", i + 1).isTrue();
        }
        assertThat(budget.take()).isFalse();
        now.addAndGet(499_000_000L);
        assertThat(budget.take()).as("half a second not yet passed").isFalse();
        now.addAndGet(1_000_000L);
        assertThat(budget.take()).isTrue();
        assertThat(budget.take()).isFalse();
        now.addAndGet(3_600_000_000_000L);
        int taken = 0;
        while (budget.take()) {
            taken++;
        }
        assertThat(taken).as("an idle hour saves one burst").isEqualTo(AheadBudget.BURST);
    }
}
