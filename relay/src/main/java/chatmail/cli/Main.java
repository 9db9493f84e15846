package chatmail.cli;

import chatmail.config.ConfigException;
import chatmail.logging.RelayLoggingProvider;
import chatmail.tls.x25519.X25519Provider;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chatmail} command line. */
@Command(name = "chatmail", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = VersionCommand.Provider.class,
        description = "A chatmail relay for Delta Chat in one process.",
        subcommands = {RunCommand.class, InitCommand.class, ExpireCommand.class, DnsCommand.class, StatusCommand.class,
                ImportReferenceCommand.class, MoveToPostgresqlCommand.class, BackupCommand.class, RestoreCommand.class, AccountsCommand.class, VersionCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        RelayLoggingProvider.select();
        if (RunCommandLine.of(args).isPresent()) {
            ClassPathOpener.start();
            // Before any TLS: every handshake's X25519 then runs on the faster arithmetic
            // (docs/decisions.md, "Restart storm").
            X25519Provider.install();
        }
        System.exit(execute(args));
    }

    /** Runs one command line with the process's stdout and stderr; returns the exit code. */
    public static int execute(String... args) {
        Charset charset = Charset.defaultCharset();
        return execute(new PrintWriter(System.out, true, charset), new PrintWriter(System.err, true, charset), args);
    }

    /** Runs one command line printing to {@code out} and {@code err}, as tests do in process. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        var run = RunCommandLine.of(args);
        if (run.isPresent()) {
            try {
                return RunCommand.run(run.get().configFile(), out, err);
            } finally {
                out.flush();
                err.flush();
            }
        }
        if (AotTrainingCommand.named(args)) {
            try {
                return AotTrainingCommand.run(err, args);
            } finally {
                out.flush();
                err.flush();
            }
        }
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        // A configuration that cannot be used ends any command the same way: why, and exit 2.
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof ConfigException unusable) {
                command.getErr().println("chatmail: " + unusable.getMessage());
                return ExitCodes.CONFIG_ERROR;
            }
            throw e;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
