package chatmail.cli;

import chatmail.account.CreationSwitch;
import chatmail.account.NocreateFile;
import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.config.StorageSettings;
import chatmail.storage.Storage;
import chatmail.store.StoreException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "accounts", description = "Manage accounts.", subcommands = AccountsCommand.Creation.class)
final class AccountsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    enum Action { on, off, status }

    @Command(name = "creation", description = {
            "Switch the creation of new accounts on or off (SPEC ACC-5), or show the switch; logins of",
            "existing accounts are never affected. With storage = postgresql the switch is in the database",
            "and holds for every node at once; with sqlite it is the file <data_dir>/nocreate. A node's own",
            "<data_dir>/nocreate file switches creation off on that node with either storage."})
    static final class Creation implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOption configOption;

        @Parameters(paramLabel = "on|off|status", description = "on, off or status")
        Action action;

        @Override
        public Integer call() throws ConfigException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Config config = configOption.config(err);
            boolean shared = config.storage().kind() == StorageSettings.Kind.POSTGRESQL;
            try (CreationSwitch creation = Storage.openCreationSwitch(config)) {
                if (action != Action.status) {
                    creation.set(action == Action.off);
                }
                boolean off = creation.off();
                out.println("account creation: " + (off ? "off" : "on") + (shared ? " for every node" : "")
                        + " (" + creation.where() + ")");
                NocreateFile file = new NocreateFile(config.dataDir());
                if (shared && file.off()) {
                    out.println("this node: off (" + file.where() + " exists)");
                }
                return ExitCodes.OK;
            } catch (StoreException | UncheckedIOException e) {
                err.println("chatmail: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
    }
}
