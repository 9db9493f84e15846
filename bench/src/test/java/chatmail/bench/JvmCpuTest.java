package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.junit.jupiter.api.Test;

class JvmCpuTest {

    @Test
    void user_and_system_time_are_read_after_a_thread_name_with_spaces_and_parentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String line = "4242 (C2 Compiler) x) S 1 2 3 4 5 6 7 8 9 10 1234 567 0 0 20 0 1 0";

        assertThat(JvmCpu.times(line)).containsExactly(1234, 567);
    }

    @Test
    void work_on_a_virtual_thread_counts_as_the_carriers_and_in_the_process_total() throws Exception {
        long pid = ProcessHandle.current().pid();
        JvmCpu before = JvmCpu.of(pid);

        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < 300; i++) {
                    sha.update(block);
                }
                sha.digest();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
        worker.join();
        JvmCpu spent = JvmCpu.of(pid).minus(before);

        assertThat(spent.carrierTicks()).isPositive();
        assertThat(spent.userTicks() + spent.systemTicks()).isGreaterThanOrEqualTo(spent.carrierTicks());
        assertThat(spent.describe()).contains("virtual threads");
    }
}
