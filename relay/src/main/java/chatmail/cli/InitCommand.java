package chatmail.cli;

import chatmail.config.ConfigException;
import chatmail.config.IniTemplate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chatmail init <domain>}: writes a commented chatmail.ini with every key and its default. */
@Command(name = "init", description = "Write a commented chatmail.ini for a domain.")
final class InitCommand implements java.util.concurrent.Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int CONFIG_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<domain>", description = "The relay's mail_domain.")
    String domain;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "File to write (default: ./chatmail.ini).")
    Path file = Path.of("chatmail.ini");

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String text;
        try {
            text = IniTemplate.render(domain);
        } catch (ConfigException e) {
            err.println("chatmail init: " + e.getMessage());
            return CONFIG_ERROR;
        }
        try {
            // CREATE_NEW makes the existence check and the write one step.
            StandardOpenOption[] options = force
                    ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE}
                    : new StandardOpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE};
            Files.writeString(file, text, StandardCharsets.UTF_8, options);
        } catch (FileAlreadyExistsException e) {
            err.println("chatmail init: " + file + " already exists; use --force to overwrite it");
            return FAILED;
        } catch (IOException e) {
            err.println("chatmail init: cannot write " + file + ": " + e.getMessage());
            return FAILED;
        }
        out.println("Wrote " + file + " for " + domain + ". Edit it, then run: chatmail run --config " + file);
        return OK;
    }
}
