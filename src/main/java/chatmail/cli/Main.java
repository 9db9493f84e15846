package chatmail.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chatmail} command line. */
@Command(name = "chatmail", mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "A chatmail relay for Delta Chat in one process.",
        subcommands = {RunCommand.class, InitCommand.class, ExpireCommand.class, DnsCommand.class, VersionCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
