package chatmail.acme;

import chatmail.tls.KeyMaterial;
import chatmail.util.Lazy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's conversation with an ACME CA (RFC 8555) through acme4j: the account (registered
 * once, the CA's terms accepted on the operator's behalf as the reference relay does), orders
 * answered by TLS-ALPN-01 or HTTP-01, and ARI renewal windows (RFC 9773). Blocking; one caller
 * at a time. No policy here: when to order is {@link AcmeWorker}'s business.
 */
final class AcmeClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AcmeClient.class);
    private static final Duration FIRST_POLL = Duration.ofMillis(250);
    private static final Duration LAST_POLL = Duration.ofSeconds(3);

    /**
     * @param directory the CA's directory URL ({@code acme_directory})
     * @param email contact given to the CA, or null
     * @param trust trust anchors for the connection to the CA: the system's and {@code trusted_ca_file}
     * @param tlsAlpn01 TLS-ALPN-01 can be answered (https_port on)
     * @param http01 HTTP-01 can be answered (http_port on)
     * @param validationTimeout how long the CA may take to validate a challenge and to issue
     */
    record Settings(URI directory, String email, Supplier<SSLContext> trust, boolean tlsAlpn01, boolean http01,
            Duration validationTimeout) {}

    private final Settings settings;
    private final AcmeState state;
    private final TrustingProvider provider;
    // Made at the first order: the system's CA list and acme4j's classes (which the AOT training,
    // a self-signed relay, never loads) cost an ACME relay's start 100-150 ms before its listeners.
    private final Lazy<Session> session;
    private Login login;

    AcmeClient(Settings settings, AcmeState state) {
        this.settings = settings;
        this.state = state;
        this.provider = new TrustingProvider(settings.trust());
        this.session = new Lazy<>(() -> new Session(settings.directory(), provider));
    }

    /**
     * Orders a certificate for {@code names} and waits until it is issued.
     *
     * @param preferTlsAlpn01 answer TLS-ALPN-01 where the CA offers it, else HTTP-01 first
     * @param replacing the certificate this one renews, named to a CA with ARI (RFC 9773 5)
     */
    KeyMaterial order(List<String> names, boolean preferTlsAlpn01, Optional<X509Certificate> replacing)
            throws OrderFailure, InterruptedException {
        List<PendingChallenge> published = new ArrayList<>();
        try {
            OrderBuilder builder = login().newOrder().domains(names);
            if (replacing.isPresent() && offersRenewalInfo()) {
                builder.replaces(replacing.get());
            }
            Order order = builder.create();
            List<Challenge> triggered = new ArrayList<>();
            for (Authorization authorization : order.getAuthorizations()) {
                if (authorization.getStatus() == Status.VALID) {
                    continue; // the CA remembers this name's validation
                }
                Challenge challenge = choose(authorization, preferTlsAlpn01);
                PendingChallenge pending = pending(challenge, authorization.getIdentifier().getDomain());
                state.publish(pending);
                published.add(pending);
                challenge.trigger();
                triggered.add(challenge);
            }
            for (Challenge challenge : triggered) {
                if (await(challenge, EnumSet.of(Status.VALID, Status.INVALID)) != Status.VALID) {
                    throw new OrderFailure(challenge.getType() + " failed: "
                            + challenge.getError().map(AcmeClient::describe).orElse("no reason given"), Optional.empty(), null);
                }
            }
            if (await(order, EnumSet.of(Status.READY, Status.VALID, Status.INVALID)) != Status.READY) {
                throw new OrderFailure("the order is " + order.getStatus() + ": "
                        + order.getError().map(AcmeClient::describe).orElse("no reason given"), Optional.empty(), null);
            }
            KeyPair certificateKeys = newKeyPair();
            // The subject people read is the domain; clients check the alternative names only.
            order.execute(certificateKeys, csr -> csr.setCommonName(names.getFirst()));
            if (await(order, EnumSet.of(Status.VALID, Status.INVALID)) != Status.VALID) {
                throw new OrderFailure("the CA did not issue the certificate: "
                        + order.getError().map(AcmeClient::describe).orElse("order " + order.getStatus()), Optional.empty(), null);
            }
            Certificate certificate = order.getCertificate();
            certificate.download();
            return new KeyMaterial(certificateKeys.getPrivate(), certificate.getCertificateChain());
        } catch (AcmeException e) {
            throw failure(e);
        } catch (RuntimeException e) {
            // acme4j reports lazy loading and protocol errors unchecked.
            throw new OrderFailure("unexpected answer from the CA: " + e.getMessage(), Optional.empty(), e);
        } finally {
            published.forEach(state::withdraw);
        }
    }

    /**
     * Polls until the resource reaches one of {@code terminal}: first after a quarter second,
     * then doubling to 3 s (acme4j's own wait starts at 3 s, which most validations do not
     * need), and never before a Retry-After the CA sent.
     */
    private Status await(PollableResource resource, Set<Status> terminal) throws AcmeException, InterruptedException {
        Instant deadline = Instant.now().plus(settings.validationTimeout());
        Duration pause = FIRST_POLL;
        while (!terminal.contains(resource.getStatus())) {
            Optional<Instant> retryAfter = resource.fetch();
            if (terminal.contains(resource.getStatus())) {
                break;
            }
            Instant next = Instant.now().plus(pause);
            if (retryAfter.isPresent() && retryAfter.get().isAfter(next)) {
                next = retryAfter.get();
            }
            if (next.isAfter(deadline)) {
                throw new AcmeException("the CA did not finish within " + settings.validationTimeout()
                        + " (status " + resource.getStatus() + ")");
            }
            Thread.sleep(Duration.between(Instant.now(), next).toMillis());
            pause = pause.multipliedBy(2).compareTo(LAST_POLL) > 0 ? LAST_POLL : pause.multipliedBy(2);
        }
        return resource.getStatus();
    }

    /**
     * The CA's renewal window for a certificate (ARI, RFC 9773), with how long to wait before
     * asking again; empty when the CA offers no ARI.
     */
    Optional<Ari> renewalInfo(X509Certificate certificate) throws OrderFailure {
        try {
            if (!offersRenewalInfo()) {
                return Optional.empty();
            }
            RenewalInfo info = login().bindRenewalInfo(certificate);
            Optional<Instant> retryAfter = info.fetch();
            return Optional.of(new Ari(new RenewalWindow(info.getSuggestedWindowStart(), info.getSuggestedWindowEnd()),
                    retryAfter.map(AcmeClient::fromNow)));
        } catch (AcmeException e) {
            throw failure(e);
        } catch (RuntimeException e) {
            throw new OrderFailure("unexpected renewal information from the CA: " + e.getMessage(), Optional.empty(), e);
        }
    }

    /** An ARI answer: the window, and the CA's Retry-After for the next question. */
    record Ari(RenewalWindow window, Optional<Duration> retryAfter) {}

    private boolean offersRenewalInfo() throws AcmeException {
        return session.get().resourceUrlOptional(Resource.RENEWAL_INFO).isPresent();
    }

    /** The account: from the state, or registered now (and stored before and after). */
    private Login login() throws AcmeException, OrderFailure {
        if (login != null) {
            return login;
        }
        Optional<AcmeAccount> stored;
        try {
            stored = state.account();
        } catch (IOException e) {
            throw new OrderFailure("cannot read the ACME account: " + e.getMessage(), Optional.empty(), e);
        }
        boolean atThisCa = stored.isPresent() && stored.get().directory().equals(settings.directory());
        if (atThisCa && stored.get().location().isPresent()) {
            login = session.get().login(stored.get().location().get(), stored.get().keys());
            return login;
        }
        // A key registered at another CA (acme_directory changed) is registered here too.
        KeyPair keys = stored.map(AcmeAccount::keys).orElseGet(AcmeClient::newKeyPair);
        // The key is stored before the CA knows it: registering it again finds the same account.
        save(new AcmeAccount(keys, settings.directory(), Optional.empty()));
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(keys);
        if (settings.email() != null && !settings.email().isBlank()) {
            builder.addEmail(settings.email());
        }
        Login registered = builder.createLogin(session.get());
        save(new AcmeAccount(keys, settings.directory(), Optional.of(registered.getAccountLocation())));
        log.info("registered an ACME account at {}", settings.directory().getHost());
        login = registered;
        return login;
    }

    private void save(AcmeAccount account) throws OrderFailure {
        try {
            state.saveAccount(account);
        } catch (IOException e) {
            throw new OrderFailure("cannot store the ACME account: " + e.getMessage(), Optional.empty(), e);
        }
    }

    private Challenge choose(Authorization authorization, boolean preferTlsAlpn01) throws OrderFailure {
        Optional<Challenge> tlsAlpn = settings.tlsAlpn01()
                ? authorization.findChallenge(TlsAlpn01Challenge.class).map(Challenge.class::cast) : Optional.empty();
        Optional<Challenge> http = settings.http01()
                ? authorization.findChallenge(Http01Challenge.class).map(Challenge.class::cast) : Optional.empty();
        Optional<Challenge> chosen = preferTlsAlpn01 ? tlsAlpn.or(() -> http) : http.or(() -> tlsAlpn);
        return chosen.orElseThrow(() -> new OrderFailure("the CA offers no challenge the relay can answer for "
                + authorization.getIdentifier().getDomain() + " (it answers "
                + (settings.tlsAlpn01() ? "tls-alpn-01 on https_port" : "")
                + (settings.tlsAlpn01() && settings.http01() ? " and " : "")
                + (settings.http01() ? "http-01 on http_port" : "") + ")", Optional.empty(), null));
    }

    private static PendingChallenge pending(Challenge challenge, String name) {
        return switch (challenge) {
            case TlsAlpn01Challenge t -> new PendingChallenge.TlsAlpn01(name, t.getAcmeValidation());
            case Http01Challenge h -> new PendingChallenge.Http01(h.getToken(), h.getAuthorization());
            default -> throw new IllegalArgumentException(challenge.getType());
        };
    }

    private OrderFailure failure(AcmeException e) {
        Optional<Duration> retryAfter = e instanceof AcmeRateLimitedException limited
                ? limited.getRetryAfter().map(AcmeClient::fromNow) : Optional.empty();
        String reason = switch (e) {
            case AcmeServerException server -> describe(server.getProblem());
            case AcmeNetworkException network -> "cannot reach the CA at " + settings.directory().getHost() + ": "
                    + (network.getCause() != null ? network.getCause().toString() : network.getMessage());
            default -> e.getMessage();
        };
        if (e instanceof AcmeServerException server && server.getType() != null
                && server.getType().toString().endsWith(":accountDoesNotExist")) {
            login = null; // the CA forgot the account (a test CA restarted): register again next time
            try {
                state.account().ifPresent(a -> {
                    try {
                        state.saveAccount(new AcmeAccount(a.keys(), a.directory(), Optional.empty()));
                    } catch (IOException ignored) {
                        // the next order tries with the stored location again and fails the same way
                    }
                });
            } catch (IOException ignored) {
                // as above
            }
        }
        return new OrderFailure(reason, retryAfter, e);
    }

    /** A CA problem in one line: its type, detail, the name it concerns and its sub-problems. */
    static String describe(Problem problem) {
        StringBuilder line = new StringBuilder();
        String type = problem.getType().toString();
        line.append(type.substring(type.lastIndexOf(':') + 1));
        problem.getIdentifier().ifPresent(id -> line.append(" (").append(id.getValue()).append(')'));
        problem.getDetail().or(problem::getTitle).ifPresent(detail -> line.append(": ").append(detail));
        for (Problem sub : problem.getSubProblems()) {
            line.append("; ").append(describe(sub));
        }
        return line.toString().replaceAll("\\s+", " ").strip();
    }

    private static Duration fromNow(Instant at) {
        // acme4j turns Retry-After into an instant of the system clock; the worker applies it to its own.
        Duration d = Duration.between(Instant.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make P-256 keys", e);
        }
    }

    @Override
    public void close() {
        provider.close();
    }

    /** acme4j's generic provider, with the relay's trust anchors (trusted_ca_file) for the CA's HTTPS. */
    static final class TrustingProvider extends GenericAcmeProvider {
        private final Supplier<SSLContext> trust;
        // Every client acme4j asked for, so that a stop closes each: acme4j may ask twice when two
        // threads reach its lazily made client at once, and an order can still ask after a stop.
        private final List<HttpClient> made = new ArrayList<>();
        private boolean closed;

        TrustingProvider(Supplier<SSLContext> trust) {
            this.trust = trust;
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings networkSettings) {
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(trust.get())
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(networkSettings.getTimeout())
                    .proxy(networkSettings.getProxySelector())
                    .build();
            synchronized (this) {
                if (closed) {
                    // The order that asked fails at its first request, as it should during a stop.
                    client.shutdownNow();
                } else {
                    made.add(client);
                }
            }
            return client;
        }

        /** Shuts down every client made, and any made from now on. */
        synchronized void close() {
            closed = true;
            made.forEach(HttpClient::shutdownNow);
            made.clear();
        }
    }
}
