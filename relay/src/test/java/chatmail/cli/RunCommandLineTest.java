package chatmail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command lines {@code run} takes without picocli mean what picocli makes of them. */
class RunCommandLineTest {

    @Test
    void thePlainFormsOfRunAreTakenWithTheirConfigFile() {
        assertThat(RunCommandLine.of("run")).contains(new RunCommandLine(null));
        assertThat(RunCommandLine.of("run", "--config", "/etc/chatmail.ini")).contains(new RunCommandLine(Path.of("/etc/chatmail.ini")));
        assertThat(RunCommandLine.of("run", "-c", "relative.ini")).contains(new RunCommandLine(Path.of("relative.ini")));
        assertThat(RunCommandLine.of("run", "--config=with space.ini")).contains(new RunCommandLine(Path.of("with space.ini")));
    }

    @Test
    void everythingElseIsLeftToPicocli() {
        for (List<String> args : List.<List<String>>of(List.of(), List.of("version"), List.of("expire", "--config", "a.ini"),
                List.of("run", "--help"), List.of("run", "-h"), List.of("run", "-V"), List.of("run", "-c"),
                List.of("run", "--config"), List.of("run", "--config="), List.of("run", "--config", "-h"),
                List.of("run", "--config", "@args.txt"), List.of("run", "@args.txt"), List.of("run", "-ca.ini"),
                List.of("run", "--config", "a.ini", "extra"), List.of("run", "--config", "a.ini", "--help"),
                List.of("run", "--conf", "a.ini"), List.of("RUN"))) {
            assertThat(RunCommandLine.of(args.toArray(String[]::new))).as("%s", args).isEmpty();
        }
    }

    @Test
    void picocliReadsTheSameConfigFileFromEachPlainForm() {
        for (List<String> args : List.of(List.of("run"), List.of("run", "--config", "/etc/chatmail.ini"),
                List.of("run", "-c", "relative.ini"), List.of("run", "--config=with space.ini"))) {
            CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
            CommandLine.ParseResult run = parsed.subcommand();
            assertThat(run.commandSpec().name()).isEqualTo("run");
            assertThat(run.isUsageHelpRequested() || run.isVersionHelpRequested()).isFalse();
            RunCommand command = (RunCommand) run.commandSpec().userObject();
            assertThat(RunCommandLine.of(args.toArray(String[]::new)))
                    .as("%s", args).contains(new RunCommandLine(command.configOption.file));
        }
    }
}
