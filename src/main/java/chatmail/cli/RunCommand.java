package chatmail.cli;

import picocli.CommandLine.Command;

@Command(name = "run", description = "Run the relay.")
final class RunCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("run: not built yet");
        return 1;
    }
}
