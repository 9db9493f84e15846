package chatmail.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmHeapTest {

    @Test
    void serial_collector_heap_info_of_jdk_25_sums_young_and_old_generation() {
        String info = """
                20351:
                DefNew     total 116160K, used 99873K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)
                 eden space 103296K,  96% used [0x0000000687400000, 0x000000068d588648, 0x000000068d8e0000)
                 from space 12864K,   0% used [0x000000068d8e0000, 0x000000068d8e0000, 0x000000068e570000)
                Tenured    total 258048K, used 1166K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 the  space 258048K,   0% used [0x0000000704d50000, 0x0000000704e73ab8, 0x0000000714950000)
                Metaspace       used 20000K, committed 20480K, reserved 1114112K
                """;
        assertThat(JvmHeap.usedBytes(info)).isEqualTo((99873L + 1166L) * 1024);
    }

    @Test
    void g1_heap_info_counts_the_whole_heap_once() {
        String info = """
                 garbage-first heap   total 262144K, used 12345K [0x0000000700000000, 0x0000000800000000)
                  region size 1024K, 3 young (3072K), 0 survivors (0K)
                 Metaspace       used 20000K, committed 20480K, reserved 1114112K
                """;
        assertThat(JvmHeap.usedBytes(info)).isEqualTo(12345L * 1024);
    }

    @Test
    void unknown_output_gives_no_figure() {
        assertThat(JvmHeap.usedBytes("12: Could not attach")).isEqualTo(-1);
    }
}
