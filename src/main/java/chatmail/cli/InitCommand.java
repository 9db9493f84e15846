package chatmail.cli;

import picocli.CommandLine.Command;

@Command(name = "init", description = "Write a commented chatmail.ini for a domain.")
final class InitCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("init: not built yet");
        return 1;
    }
}
