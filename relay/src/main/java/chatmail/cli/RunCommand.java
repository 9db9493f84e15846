package chatmail.cli;

import chatmail.Relay;
import chatmail.account.CredentialGenerator;
import chatmail.account.DcLoginLink;
import chatmail.account.ResourceProbe;
import chatmail.config.Config;
import chatmail.config.ConfigException;
import chatmail.config.ConfigValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", description = "Run the relay until SIGTERM or Ctrl-C.")
final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption configOption;

    @Override
    public Integer call() throws Exception {
        return run(configOption, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * {@code run} as {@link Main} calls it without picocli ({@link RunCommandLine}); what the
     * command throws ends it as under picocli: the stack trace, exit code 1.
     *
     * @param configFile {@code --config}, or null for the default places
     */
    static int run(Path configFile, PrintWriter out, PrintWriter err) {
        ConfigOption configOption = new ConfigOption();
        configOption.file = configFile;
        try {
            return run(configOption, out, err);
        } catch (Exception e) {
            e.printStackTrace(err);
            return ExitCodes.FAILURE;
        }
    }

    private static int run(ConfigOption configOption, PrintWriter out, PrintWriter err) throws Exception {
        Config config;
        try {
            config = configOption.load(err).config();
            ConfigValidator.checkRunnable(config);
        } catch (ConfigException e) {
            err.println("chatmail: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        }
        Relay.Options options = Relay.Options.production(config);
        if (configOption.devMode()) {
            // A developer's own relay on loopback: a busy laptop (a build, the test suite) is
            // no reason to refuse the accounts they are trying out. ACC-5 guards public relays.
            options = new Relay.Options(options.clock(), ResourceProbe.ample(), options.ephemeralPorts(),
                    options.runExpiry(), options.warmUp());
        }
        Relay relay;
        try {
            relay = Relay.start(config, options);
        } catch (IOException e) {
            // A port in use or an unwritable data directory: the operator's to fix, no stack trace.
            err.println("chatmail: cannot start: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            stopped.countDown();
        }, "shutdown"));
        out.print(endpoints(relay, configOption.devMode()));
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    static String endpoints(Relay relay, boolean devMode) {
        Config c = relay.config();
        StringBuilder sb = new StringBuilder();
        sb.append("chatmail relay for ").append(c.mailDomain()).append(devMode ? " (dev mode)" : "")
                .append(", data in ").append(c.dataDir().toAbsolutePath()).append('\n');
        String host = c.listenAddresses().getFirst();
        for (Map.Entry<String, Integer> e : relay.ports().entrySet()) {
            sb.append(String.format("  %-12s %s:%d%n", e.getKey(), host.contains(":") ? "[" + host + "]" : host, e.getValue()));
        }
        if (devMode) {
            var creds = new CredentialGenerator(c).next();
            sb.append("A fresh account (created on first login), to paste into Delta Chat:\n  ")
                    .append(DcLoginLink.withServers(creds.email(), creds.password(), host, c.imapsPort(), c.submissionsPort()))
                    .append('\n');
        }
        return sb.toString();
    }
}
