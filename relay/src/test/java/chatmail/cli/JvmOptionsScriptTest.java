package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/jvm-options.sh}: the heap policy the launcher (and a packaged launcher) derives
 * from chatmail.ini and the machine's memory without starting a JVM.
 */
class JvmOptionsScriptTest {

    private static final Path SCRIPT = chatmail.testing.ProjectDir.resolve("scripts/jvm-options.sh");
    private static final long MIB = 1024;

    @TempDir
    Path dir;

    @Test
    void readsKeysOfTheParamsSectionAsTheRelaysIniReaderDoes() throws Exception {
        Path ini = Files.writeString(dir.resolve("chatmail.ini"), """
                [other]
                max_imap_connections = 5
                [params]
                # max_imap_connections = 7
                  Max_IMAP_Connections : 2000 \r
                mail_domain=chat.example.org
                max_imap_connections = 9
                """);

        assertThat(param(ini, "max_imap_connections")).as("first in [params], key case-folded, ':' and CR handled").isEqualTo("2000");
        assertThat(param(ini, "mail_domain")).isEqualTo("chat.example.org");
        assertThat(param(ini, "max_message_size")).as("absent").isEmpty();
        assertThat(param(dir.resolve("missing.ini"), "max_imap_connections")).as("no file").isEmpty();
    }

    @Test
    void findsTheConfigurationFileInTheRelaysOrder() throws Exception {
        Files.writeString(dir.resolve("chatmail.ini"), "[params]\n");
        assertThat(configFile(Map.of(), "run", "--config", "/etc/a.ini")).isEqualTo("/etc/a.ini");
        assertThat(configFile(Map.of(), "run", "--config=/etc/b.ini")).isEqualTo("/etc/b.ini");
        assertThat(configFile(Map.of(), "run", "-c", "/etc/c.ini")).isEqualTo("/etc/c.ini");
        assertThat(configFile(Map.of(), "run", "-c/etc/d.ini")).isEqualTo("/etc/d.ini");
        assertThat(configFile(Map.of("CHATMAIL_INI", "/etc/e.ini"), "run")).as("environment").isEqualTo("/etc/e.ini");
        assertThat(configFile(Map.of(), "run")).as("the working directory's").isEqualTo("chatmail.ini");
        Files.delete(dir.resolve("chatmail.ini"));
        assertThat(configFile(Map.of(), "run")).as("dev mode").isEmpty();
    }

    @Test
    void theMemoryLimitIsMemTotalOrASmallerCgroupLimit() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal:       24683784 kB\nMemFree:         1000 kB\n");
        Path root = Files.createDirectories(dir.resolve("cgroup"));

        Path v1 = Files.createDirectories(root.resolve("memory/system.slice/chatmail.service"));
        Files.writeString(v1.resolve("memory.limit_in_bytes"), "536870912\n");
        Path procV1 = Files.writeString(dir.resolve("cgroup-v1"), "5:pids:/\n4:memory:/system.slice/chatmail.service\n0::/\n");
        assertThat(limitKib(meminfo, procV1, root)).as("cgroup v1 limit").isEqualTo(512 * MIB);

        Files.writeString(v1.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(limitKib(meminfo, procV1, root)).as("v1 without a limit").isEqualTo(24683784L);

        Path v2 = Files.createDirectories(root.resolve("system.slice/other.service"));
        Files.writeString(v2.resolve("memory.max"), "1073741824\n");
        Path procV2 = Files.writeString(dir.resolve("cgroup-v2"), "0::/system.slice/other.service\n");
        assertThat(limitKib(meminfo, procV2, root)).as("cgroup v2 limit").isEqualTo(1024 * MIB);

        Files.writeString(v2.resolve("memory.max"), "max\n");
        assertThat(limitKib(meminfo, procV2, root)).as("v2 without a limit").isEqualTo(24683784L);

        Path hybrid = Files.createDirectories(root.resolve("unified/user.slice"));
        Files.writeString(hybrid.resolve("memory.max"), "268435456\n");
        Path procHybrid = Files.writeString(dir.resolve("cgroup-hybrid"), "4:memory:/\n0::/user.slice\n");
        assertThat(limitKib(meminfo, procHybrid, root)).as("v2 beside v1 controllers").isEqualTo(256 * MIB);
    }

    @Test
    void theHeapGrowsWithConnectionsAndMessageSizeUpToHalfTheMemory() throws Exception {
        long big = 24L * 1024 * MIB;
        assertThat(heapMib(10000, 31457280, big)).as("the defaults on a large machine").isEqualTo(64 + 351 + 360);
        assertThat(heapMib(100, 1048576, big)).as("never below the floor").isEqualTo(96);
        assertThat(heapMib(10000, 31457280, 1024 * MIB)).as("a 1 GiB server").isEqualTo(512);
        assertThat(heapMib(10000, 31457280, 512 * MIB)).as("a 512 MiB cgroup").isEqualTo(256);
        assertThat(heapMib(100000, 31457280, big)).isGreaterThan(heapMib(10000, 31457280, big));
    }

    @Test
    void theOptionsCarryTheHeapFromTheNamedConfigurationAndNoOperatorOptions() throws Exception {
        Path ini = Files.writeString(dir.resolve("relay.ini"), "[params]\nmax_imap_connections = 2000\nmax_message_size = 1048576\n");

        Result r = bash(Map.of("CHATMAIL_JAVA_OPTS", "-Xmx1g"),
                ". \"$1\"; chatmail_jvm_options run --config \"$2\"; printf '%s\\n' \"${CHATMAIL_JVM_OPTIONS[@]}\"",
                SCRIPT.toString(), ini.toString());

        List<String> options = r.stdout().lines().toList();
        assertThat(options).contains("--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC");
        assertThat(options).as("the relay trims its native heap itself, only while quiet (NativeHeapTrim)")
                .noneMatch(o -> o.startsWith("-XX:TrimNativeHeapInterval"));
        // 64 MiB + 2000 connections at 36 KiB + four 1 MiB messages three times over, on this machine's memory.
        assertThat(options).contains("-Xmx146m");
        assertThat(options).as("the operator's options are the caller's to append, last").doesNotContain("-Xmx1g");

        Result env = bash(Map.of(), ". \"$1\"; chatmail_jvm_options run; printf '%s' \"$MALLOC_ARENA_MAX\"", SCRIPT.toString());
        assertThat(env.stdout()).as("few malloc arenas").isEqualTo("2");
        Result kept = bash(Map.of("MALLOC_ARENA_MAX", "8"), ". \"$1\"; chatmail_jvm_options run; printf '%s' \"$MALLOC_ARENA_MAX\"",
                SCRIPT.toString());
        assertThat(kept.stdout()).as("an operator's setting stays").isEqualTo("8");
    }

    @Test
    void aCollectorNamedByTheOperatorReplacesOursInsteadOfClashingWithIt() throws Exception {
        String script = ". \"$1\"; chatmail_jvm_options run; printf '%s\\n' \"${CHATMAIL_JVM_OPTIONS[@]}\"";

        List<String> withZ = bash(Map.of("CHATMAIL_JAVA_OPTS", "-Xmx1g -XX:+UseZGC"), script, SCRIPT.toString()).stdout().lines().toList();
        List<String> withOther = bash(Map.of("CHATMAIL_JAVA_OPTS", "-XX:+UseCompressedOops"), script, SCRIPT.toString()).stdout().lines().toList();

        assertThat(withZ).as("the JVM refuses two collectors").noneMatch(o -> o.matches("-XX:\\+Use.*GC"))
                .doesNotContain("-XX:GCTimeRatio=4");
        assertThat(withOther).contains("-XX:+UseG1GC");
    }

    @Test
    void theRelaysOptionsStartThisJdkAndPrintNothingOnStdout() throws Exception {
        // An experimental flag without its unlock before it, or a compile command the JVM cannot
        // read, stops the relay's start; a compile command the JVM echoes would land in the output
        // of every CLI command.
        String java = ProcessHandle.current().info().command().orElseThrow();
        Result r = bash(Map.of("JAVA", java), ". \"$1\"; chatmail_jvm_options run; \"$JAVA\" \"${CHATMAIL_JVM_OPTIONS[@]}\" "
                + "-XX:+PrintFlagsFinal -version | grep -E '^ *(uintx|uint) +(G1ExpandByPercentOfAvailable|MaxHeapFreeRatio) '; "
                + "\"$JAVA\" \"${CHATMAIL_JVM_OPTIONS[@]}\" -version 2>/dev/null | wc -c", SCRIPT.toString());

        List<String> lines = r.stdout().lines().toList();
        assertThat(lines).anyMatch(l -> l.matches(" *uint +G1ExpandByPercentOfAvailable += 2 .*"));
        assertThat(lines).anyMatch(l -> l.matches(" *uintx +MaxHeapFreeRatio += 40 .*"));
        assertThat(lines.getLast().trim()).as("bytes on stdout").isEqualTo("0");
    }

    // ---- helpers

    private String param(Path ini, String key) throws Exception {
        return bash(Map.of(), ". \"$1\"; chatmail_read_ini_params \"$2\"; printf '%s' \"${CHATMAIL_INI_PARAMS[$3]:-}\"",
                SCRIPT.toString(), ini.toString(), key).stdout();
    }

    private String configFile(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(SCRIPT.toString()));
        all.addAll(List.of(args));
        return bash(env, ". \"$1\"; shift; chatmail_config_file \"$@\"; printf '%s' \"$CHATMAIL_CONFIG_FILE\"",
                all.toArray(String[]::new)).stdout();
    }

    private long limitKib(Path meminfo, Path procCgroup, Path root) throws Exception {
        return Long.parseLong(bash(Map.of(), ". \"$1\"; chatmail_memory_limit_kib \"$2\" \"$3\" \"$4\"; printf '%s' \"$CHATMAIL_MEMORY_LIMIT_KIB\"",
                SCRIPT.toString(), meminfo.toString(), procCgroup.toString(), root.toString()).stdout());
    }

    private long heapMib(int connections, long messageBytes, long limitKib) throws Exception {
        return Long.parseLong(bash(Map.of(), ". \"$1\"; chatmail_heap_max_mib \"$2\" \"$3\" \"$4\"; printf '%s' \"$CHATMAIL_HEAP_MAX_MIB\"",
                SCRIPT.toString(), Integer.toString(connections), Long.toString(messageBytes), Long.toString(limitKib)).stdout());
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result bash(Map<String, String> env, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/bash", "-c", script, "bash"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().remove("CHATMAIL_INI");
        pb.environment().putAll(env);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bash finishes").isTrue();
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        assertThat(r.exit()).as("stderr: %s", r.stderr()).isZero();
        return r;
    }
}
