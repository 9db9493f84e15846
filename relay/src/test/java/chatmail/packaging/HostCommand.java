package chatmail.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A program run on this machine to its end, its output captured (the package test's dpkg, setpriv, ...). */
record HostCommand(int exit, String out, String err) {

    static final Duration TIMEOUT = Duration.ofMinutes(3);

    static HostCommand run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of(), null);
    }

    /** Runs {@code command} with extra environment and {@code input} on stdin (null: none). */
    static HostCommand run(List<String> command, Map<String, String> env, String input) throws IOException, InterruptedException {
        Path out = Files.createTempFile("cmd", ".out");
        Path err = Files.createTempFile("cmd", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("CHATMAIL_INI");
            pb.environment().putAll(env);
            Process p = pb.start();
            try (var stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not end within " + TIMEOUT);
            }
            return new HostCommand(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Fails with the output when the command did not exit 0. */
    HostCommand ok(String what) {
        if (exit != 0) {
            throw new AssertionError(what + " exited " + exit + "\nstdout: " + out + "\nstderr: " + err);
        }
        return this;
    }
}
