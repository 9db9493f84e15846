package chatmail.cli;

import picocli.CommandLine.Command;

@Command(name = "expire", description = "Delete old mail and inactive accounts now.")
final class ExpireCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("expire: not built yet");
        return 1;
    }
}
