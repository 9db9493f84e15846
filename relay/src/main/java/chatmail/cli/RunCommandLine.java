package chatmail.cli;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The command lines of {@code run} that {@link Main} runs without picocli: {@code run} alone or
 * with one {@code --config FILE}, {@code -c FILE} or {@code --config=FILE}. Picocli builds the
 * model of every command by reflection before it parses anything, and its classes (compiled for
 * Java 5) cannot come from the AOT cache: a quarter to half a second of every restart
 * (docs/decisions.md, "Start-up and memory"). Any other command line, {@code run --help}
 * included, goes to picocli, so these few forms must mean there exactly what they mean here
 * ({@code RunCommandLineTest} holds both to that).
 */
record RunCommandLine(Path configFile) {

    /** This command line when it is one of the plain forms of {@code run}; empty otherwise. */
    static Optional<RunCommandLine> of(String... args) {
        if (args.length == 0 || !args[0].equals("run")) {
            return Optional.empty();
        }
        return switch (args.length) {
            case 1 -> Optional.of(new RunCommandLine(null));
            case 2 -> args[1].startsWith("--config=") ? file(args[1].substring("--config=".length())) : Optional.empty();
            case 3 -> args[1].equals("--config") || args[1].equals("-c") ? file(args[2]) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /**
     * A file name picocli would take as it is: not empty, not an option (picocli reads a value
     * that looks like one as that option) and not an {@code @file} (which picocli expands).
     */
    private static Optional<RunCommandLine> file(String name) {
        if (name.isEmpty() || name.startsWith("-") || name.startsWith("@")) {
            return Optional.empty();
        }
        return Optional.of(new RunCommandLine(Path.of(name)));
    }
}
