package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/jdk.sh}, which the {@code ./chatmail} launcher sources: it must find a JDK 25
 * although JAVA_HOME and PATH point at an older Java (the usual state of a Debian machine with
 * openjdk-17 as default), skip a JRE, and say what to install when there is nothing.
 */
class JdkScriptTest {

    /** The tools jdk.sh uses besides bash built-ins; PATH in these tests holds only these. */
    private static final List<String> TOOLS = List.of("sed", "head", "dirname", "cat", "readlink");

    private static final Path SCRIPT = chatmail.testing.ProjectDir.resolve("scripts/jdk.sh");

    @TempDir
    Path dir;

    private Path toolsOnly;
    private Path oldJdk;
    private Path thisJdk;

    @BeforeEach
    void machine() throws IOException {
        assertThat(SCRIPT).isRegularFile();
        toolsOnly = Files.createDirectories(dir.resolve("bin"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(toolsOnly.resolve(tool), onPath(tool));
        }
        oldJdk = fakeJava(dir.resolve("old/jdk-17"), 17, true);
        thisJdk = Path.of(System.getProperty("java.home")).toRealPath();
        assertThat(Runtime.version().feature()).as("tests run on the JDK the launcher must find").isGreaterThanOrEqualTo(25);
    }

    @Test
    void findsJdk25InTheSystemDirectoriesWhenJavaHomeIsAnOlderJdk() throws Exception {
        // The machine's own directories (no CHATMAIL_JVM_DIRS): on Debian /usr/lib/jvm holds JDK 17 and 25.
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        Path oldHome = Files.isDirectory(java17) ? java17 : oldJdk;
        Result r = find(Map.of("JAVA_HOME", oldHome.toString()));

        assertThat(r.exit).as("stderr: %s", r.stderr).isZero();
        assertThat(r.javaHome()).isNotEqualTo(oldHome.toString());
        assertThat(featureVersion(Path.of(r.javaHome()))).isGreaterThanOrEqualTo(25);
        assertThat(r.java()).isEqualTo(r.javaHome() + "/bin/java");
    }

    @Test
    void searchesTheConfiguredDirectoriesSkippingOldJdksAndJres() throws Exception {
        Path jvms = Files.createDirectories(dir.resolve("jvms"));
        fakeJava(jvms.resolve("a-jre-26"), 26, false); // new enough, but cannot compile
        fakeJava(jvms.resolve("b-jdk-21"), 21, true);
        Files.createSymbolicLink(jvms.resolve("c-jdk"), thisJdk);
        Path oldOnPath = Files.createDirectories(dir.resolve("pathjava"));
        Files.createSymbolicLink(oldOnPath.resolve("java"), oldJdk.resolve("bin/java"));

        Result r = find(Map.of("JAVA_HOME", oldJdk.toString(), "CHATMAIL_JVM_DIRS", dir.resolve("nowhere") + ":" + jvms,
                "PATH", oldOnPath + ":" + toolsOnly));

        assertThat(r.exit).as("stderr: %s", r.stderr).isZero();
        assertThat(r.javaHome()).isEqualTo(thisJdk.toString());
        assertThat(r.java()).isEqualTo(thisJdk.resolve("bin/java").toString());
    }

    @Test
    void withNoJdkAnywhereItSaysWhatToInstallAndExits1() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty-jvm"));

        Result r = find(Map.of("JAVA_HOME", oldJdk.toString(), "CHATMAIL_JVM_DIRS", empty.toString()));

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.stdout).as("the launcher went no further").doesNotContain("JAVA=");
        assertThat(r.stderr).contains("chatmail needs a JDK 25 or newer", empty.toString(),
                "apt-get install temurin-25-jdk", "https://adoptium.net/");
    }

    // ---- helpers

    private record Result(int exit, String stdout, String stderr) {
        String java() {
            return value("JAVA=");
        }

        String javaHome() {
            return value("JAVA_HOME=");
        }

        private String value(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> l.substring(prefix.length())).orElseThrow(() -> new AssertionError("no " + prefix + " in " + stdout));
        }
    }

    /** Sources jdk.sh in a bash with only {@code env} (and PATH = the plain tools unless given) and calls chatmail_find_jdk. */
    private Result find(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c",
                ". \"$1\"; chatmail_find_jdk; printf 'JAVA=%s\\nJAVA_HOME=%s\\n' \"$JAVA\" \"$JAVA_HOME\"",
                "bash", SCRIPT.toString());
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", toolsOnly.toString());
        e.putAll(new HashMap<>(env));
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("jdk.sh finishes").isTrue();
        return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    /** A stand-in Java installation whose {@code java} reports {@code version} the way the real one does. */
    private static Path fakeJava(Path home, int version, boolean withJavac) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        executable(bin.resolve("java"), "#!/bin/sh\n"
                + "echo 'Property settings:' >&2\n"
                + "echo '    java.specification.version = " + version + "' >&2\n"
                + "echo 'openjdk version \"" + version + "\"' >&2\n");
        if (withJavac) {
            executable(bin.resolve("javac"), "#!/bin/sh\nexit 0\n");
        }
        return home;
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static int featureVersion(Path javaHome) throws IOException {
        String release = Files.readString(javaHome.resolve("release"));
        var m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
        assertThat(m.find()).as("JAVA_VERSION in %s/release", javaHome).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static Path onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(tool + " is not on PATH; jdk.sh needs it");
    }
}
