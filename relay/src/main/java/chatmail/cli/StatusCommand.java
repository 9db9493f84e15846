package chatmail.cli;

import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.status.AdminEndpoint;
import chatmail.status.StatusClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", description = {
        "Ask the running relay how it is (SPEC OPS-3): version, uptime, listeners, accounts, storage,",
        "queues, certificates, last expiry run, last DNS check. Exit code 1 when it is unhealthy or",
        "not running. It asks over <data_dir>/admin.sock: run it as root or as the relay's user."})
final class StatusCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption configOption;

    @Override
    public Integer call() throws ConfigException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config = configOption.config(err);
        String answer;
        try {
            answer = StatusClient.status(config.dataDir());
        } catch (IOException e) {
            err.println("chatmail: no relay answers on " + AdminEndpoint.socketPath(config.dataDir()) + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "): is it running, and may this user open its data_dir?");
            return ExitCodes.FAILURE;
        }
        out.print(answer);
        out.flush();
        return answer.lines().anyMatch(line -> line.equals("health: ok")) ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
