package chatmail.bench.hostile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link AttackerCommands} in a child JVM, seen from the bench: started under {@code nice} so
 * that, like attackers on other machines, it takes only the CPU that the relay and the
 * legitimate clients leave; each command waits for its answer.
 */
final class AttackersProcess implements Attackers {
    private static final long ANSWER_SECONDS = 120;

    private final Process process;
    private final OutputStream commands;
    private final BufferedReader answers;
    private final Path log;
    private final int nice;
    private final boolean idle;
    private boolean stopped;

    private AttackersProcess(Process process, Path log, int nice, boolean idle) {
        this.process = process;
        this.commands = process.getOutputStream();
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.log = log;
        this.nice = nice;
        this.idle = idle;
    }

    /**
     * Starts the process and waits until its attacks are built.
     *
     * @param nice added to the bench's own niceness ({@code nice -n}); 0: the same priority as the relay
     * @param idle scheduled as SCHED_IDLE ({@code chrt --idle 0}): only on a core nothing else wants
     */
    static AttackersProcess start(HostileTarget t, boolean smoke, Collection<String> only, int nice, boolean idle)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (idle) {
            command.addAll(List.of("chrt", "--idle", "0"));
        }
        if (nice != 0) {
            command.addAll(List.of("nice", "-n", Integer.toString(nice)));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A collector of one thread: its pauses stop only the attackers.
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx1g");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AttackerCommands.class.getName());
        command.addAll(List.of(t.host(), t.domain(), t.password(), Long.toString(t.maxMessageSize()), Boolean.toString(smoke),
                String.join(",", only)));
        Path log = Files.createTempFile("hostile-attackers-", ".log");
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        AttackersProcess a = new AttackersProcess(p, log, nice, idle);
        a.expect("ready");
        return a;
    }

    @Override
    public void start() throws IOException {
        send("start");
        expect("started");
    }

    @Override
    public List<Attack.Row> rows() throws IOException {
        send("rows");
        return AttackRows.decode(this::answer);
    }

    @Override
    public Counts counts() throws IOException {
        send("counts");
        String[] f = answer().split(" ");
        if (f.length != 3 || !f[0].equals("counts")) {
            throw new IOException("the attackers' process answered " + String.join(" ", f));
        }
        return new Counts(Long.parseLong(f[1]), Long.parseLong(f[2]));
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public String description() {
        return "in a child JVM of their own" + (idle ? ", SCHED_IDLE" : "") + (nice == 0 ? ", same nice value" : ", nice +" + nice);
    }

    @Override
    public void stop() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            send("stop");
            expect("stopped");
        } catch (IOException e) {
            // It ended or does not answer: it is ended below.
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temporary file left behind
        }
    }

    private void send(String command) throws IOException {
        commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
    }

    private void expect(String wanted) throws IOException {
        String line = answer();
        if (!line.equals(wanted)) {
            throw new IOException("the attackers' process answered " + line + " instead of " + wanted);
        }
    }

    /** The next line of the process; its log's end in the exception when it ended or stayed silent. */
    private String answer() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_SECONDS);
        // A blocking read with no time-out of its own: ready() is polled so that a hung child cannot hang the bench.
        while (!answers.ready()) {
            if (!process.isAlive() && !answers.ready()) {
                throw new IOException("the attackers' process ended" + exit() + "; its log ends with: " + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the attackers' process did not answer within " + ANSWER_SECONDS + " s; its log ends with: "
                        + logTail());
            }
            Attack.pause(10);
        }
        String line = answers.readLine();
        if (line == null) {
            throw new IOException("the attackers' process ended" + exit() + "; its log ends with: " + logTail());
        }
        return line;
    }

    private String exit() {
        return process.isAlive() ? "" : " with status " + process.exitValue();
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
