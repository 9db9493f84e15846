package chatmail.cli;

import chatmail.Relay;
import chatmail.account.CredentialGenerator;
import chatmail.account.DcLoginLink;
import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.config.ConfigValidator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", description = "Run the relay until SIGTERM or Ctrl-C.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOption configOption;

    @Override
    public Integer call() throws Exception {
        Config config;
        try {
            config = configOption.load().config();
            ConfigValidator.checkRunnable(config);
        } catch (ConfigException e) {
            System.err.println("chatmail: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        }
        Relay relay = Relay.start(config, Relay.Options.production(config));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            stopped.countDown();
        }, "shutdown"));
        printEndpoints(relay, configOption.devMode());
        stopped.await();
        return ExitCodes.OK;
    }

    private static void printEndpoints(Relay relay, boolean devMode) {
        Config c = relay.config();
        StringBuilder sb = new StringBuilder();
        sb.append("chatmail relay for ").append(c.mailDomain()).append(devMode ? " (dev mode)" : "")
                .append(", data in ").append(c.dataDir().toAbsolutePath()).append('\n');
        String host = c.listenAddresses().getFirst();
        for (Map.Entry<String, Integer> e : relay.ports().entrySet()) {
            sb.append(String.format("  %-12s %s:%d%n", e.getKey(), host, e.getValue()));
        }
        if (devMode) {
            var creds = new CredentialGenerator(c).next();
            sb.append("A fresh account (created on first login), to paste into Delta Chat:\n  ")
                    .append(DcLoginLink.withServers(creds.email(), creds.password(), host, c.imapsPort(), c.submissionsPort()))
                    .append('\n');
        }
        System.out.print(sb);
        System.out.flush();
    }
}
