package dev.dispatch.local;

import dev.dispatch.emulators.LocalAws;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.emulators.TemplateResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The whole of template.yaml on this machine: the AWS stand-ins ({@link LocalAws}), every function run from its
 * packaged function.zip the way the managed Java runtime runs it ({@link LocalFunction}), the HTTP API in front of
 * them ({@link HttpApiGateway}), SQS event source mappings ({@link SqsEventSource}) and schedules
 * ({@link ScheduleTrigger}).
 *
 * <pre>{@code
 * try (LocalCloud cloud = LocalCloud.start(LocalCloudOptions.defaults().port(0))) {
 *     HttpRequest.newBuilder(cloud.apiUrl("/health")) ...
 * }
 * }</pre>
 */
public final class LocalCloud implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalCloud.class.getName());
    private static volatile ScheduledExecutorService sharedTimers;
    /** Template parameter SenderAllowlist unless given: the From domain of the sample campaign and the tests. */
    public static final String DEFAULT_SENDER_ALLOWLIST = "example.com";

    private final LocalCloudOptions options;
    private final String devApiKey;
    private final Path workDir;
    private final Path logDir;
    private final Map<String, LocalFunction> functions = new LinkedHashMap<>();
    private final List<SqsEventSource> sqsEventSources = new ArrayList<>();
    private final List<ScheduleTrigger> schedules = new ArrayList<>();
    private LocalAws localAws;
    private String genericWebhookSecret;
    private String senderAllowlist;
    private HttpApiRouter router;
    private HttpApiGateway gateway;
    private Thread shutdownHook;
    private long startMillis;
    private volatile boolean closed;

    private LocalCloud(LocalCloudOptions options, String devApiKey, Path workDir) {
        this.options = options;
        this.devApiKey = devApiKey;
        this.workDir = workDir;
        this.logDir = options.logDir() == null ? null : options.logDir().toAbsolutePath();
    }

    /** Starts with {@link LocalCloudOptions#defaults()}. */
    public static LocalCloud start() {
        return start(LocalCloudOptions.defaults());
    }

    /** Starts everything and returns once every function has finished its init. */
    public static LocalCloud start(LocalCloudOptions options) {
        configureHttpServer();
        long started = System.nanoTime();
        Path root = options.projectRoot() != null ? options.projectRoot().toAbsolutePath().normalize()
                : ProjectLayout.root();
        Path workDir = options.workDir() != null ? options.workDir()
                : root.resolve("infra").resolve("local").resolve("target").resolve("local-cloud");
        String key = options.devApiKey() != null ? options.devApiKey() : randomKey();
        LocalCloud cloud = new LocalCloud(options, key, workDir.toAbsolutePath());
        cloud.shutdownHook = new Thread(cloud::closeQuietly, "local-cloud-shutdown");
        Runtime.getRuntime().addShutdownHook(cloud.shutdownHook);
        try {
            cloud.boot(root);
        } catch (RuntimeException | Error e) {
            cloud.close();
            throw e;
        }
        cloud.startMillis = (System.nanoTime() - started) / 1_000_000;
        return cloud;
    }

    private void boot(Path root) {
        Map<String, String> parameters = new LinkedHashMap<>(options.parameters());
        // Secrets go where they go in AWS: into the template's Secrets Manager secrets (on moto), as an operator puts
        // them there. The dev API key's digest, and the generic webhook's HMAC secret the banner prints (the provider
        // webhooks need their providers' keys); the unsubscribe keyring is generated as the template asks.
        Map<String, String> secrets = new LinkedHashMap<>(options.secrets());
        secrets.putIfAbsent("ApiKeyDigestsSecret", "{\"sha256\": [\"" + sha256Hex(devApiKey) + "\"]}");
        secrets.putIfAbsent("GenericWebhookHmacSecret", "{\"secret\": \"" + randomKey() + "\"}");
        // The functions put the API's own URL into unsubscribe links, so the port is fixed before they start.
        int port = options.port() == 0 ? freePort(options.bindAddress()) : options.port();
        parameters.putIfAbsent("PublicApiUrl", "http://" + ("0.0.0.0".equals(options.bindAddress()) ? "127.0.0.1" : options.bindAddress()) + ":" + port);
        // The sample campaign, the benchmarks and the tests send from example.com addresses.
        parameters.putIfAbsent("SenderAllowlist", DEFAULT_SENDER_ALLOWLIST);
        senderAllowlist = parameters.get("SenderAllowlist");
        localAws = LocalAws.start(root, parameters, secrets, options.persistDir());
        genericWebhookSecret = secretMember("GenericWebhookHmacSecret", "secret");
        TemplateModel model = new TemplateModel(localAws.template(), localAws.resources(), root);
        List<TemplateModel.FunctionDefinition> definitions =
                model.functions(options.concurrency(), options.defaultConcurrency(), options.timeouts());
        for (String id : options.timeouts().keySet()) {
            if (definitions.stream().noneMatch(d -> d.spec().logicalId().equals(id))) {
                throw new IllegalArgumentException("a timeout is given for " + id + ", which is not a function of the template");
            }
        }
        for (String id : options.concurrency().keySet()) {
            if (definitions.stream().noneMatch(d -> d.spec().logicalId().equals(id))) {
                throw new IllegalArgumentException("--concurrency names " + id + ", which is not a function of the template");
            }
        }
        Map<String, String> awsEnvironment = new LinkedHashMap<>(localAws.awsEnvironment());
        awsEnvironment.putAll(options.environment());
        LocalFunction.Paths paths = logDir == null ? LocalFunction.Paths.under(workDir)
                : new LocalFunction.Paths(workDir.resolve("code"), logDir, workDir.resolve("jni"));
        for (TemplateModel.FunctionDefinition d : definitions) {
            functions.put(d.spec().logicalId(), new LocalFunction(d.spec(), awsEnvironment,
                    TemplateResources.ACCOUNT_ID, paths, options.verbose(), sharedTimers()));
        }
        ExecutorService starter = Executors.newFixedThreadPool(Math.max(1, functions.size()), daemonThreads("start"));
        try {
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            for (LocalFunction f : functions.values()) {
                starts.add(CompletableFuture.runAsync(f::start, starter));
            }
            join(starts);

            router = model.router(definitions);
            try {
                gateway = new HttpApiGateway(router, functions::get, TemplateResources.ACCOUNT_ID,
                        InetAddress.getByName(options.bindAddress()), port, options.verbose());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the HTTP API on port " + options.port()
                        + " (in use? pick another with --port)", e);
            }

            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (LocalFunction f : functions.values()) {
                ready.add(CompletableFuture.runAsync(() -> {
                    if (!f.awaitReady(options.readyTimeout(), 2)) {
                        String why = f.initFailing()
                                ? "its init fails" + (f.lastInitError() == null ? "" : ": " + f.lastInitError())
                                : "it did not finish init within " + options.readyTimeout().toSeconds() + " s";
                        LOG.warning(f.logicalId() + " is not ready: " + why + ". It keeps being restarted (a rebuilt "
                                + "function.zip is picked up); its invocations fail meanwhile. Log: " + f.logFile());
                    }
                }, starter));
            }
            join(ready);
        } finally {
            starter.shutdownNow();
        }

        for (SqsEventSource.Mapping declared : model.sqsMappings(definitions)) {
            if (!declared.enabled()) {
                continue;
            }
            SqsEventSource.Mapping mapping = declared.withBatchSize(
                    options.sqsBatchSizes().getOrDefault(declared.functionLogicalId(), declared.batchSize()));
            LocalFunction f = functions.get(mapping.functionLogicalId());
            SqsEventSource source = new SqsEventSource(mapping, f, localAws.sqs(), TemplateResources.REGION,
                    options.sqsVisibilityTimeoutSeconds(), options.verbose());
            source.start(mapping.pollers(f.spec().concurrency()));
            sqsEventSources.add(source);
        }
        for (ScheduleTrigger.Definition d : model.schedules(definitions, Instant.now())) {
            ScheduleTrigger trigger = new ScheduleTrigger(d, functions.get(d.functionLogicalId()),
                    TemplateResources.ACCOUNT_ID, TemplateResources.REGION, sharedTimers(), options.verbose());
            if (options.schedulesEnabled()) {
                trigger.start();
            }
            schedules.add(trigger);
        }
    }

    /** A string member of a JSON secret as it is now on the Secrets Manager stand-in (null when it has none). */
    private String secretMember(String secretLogicalId, String member) {
        String text = localAws.secretsManager().getSecretValue(b -> b.secretId(localAws.resources().secretArn(secretLogicalId)))
                .secretString();
        try {
            com.fasterxml.jackson.databind.JsonNode value = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text)
                    .path(member);
            return value.isTextual() ? value.asText() : null;
        } catch (IOException e) {
            throw new IllegalStateException("secret " + secretLogicalId + " is not JSON");
        }
    }

    private static int freePort(String bindAddress) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getByName(bindAddress))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + bindAddress, e);
        }
    }

    private static void join(List<CompletableFuture<Void>> futures) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ accessors

    /** The HTTP API's base URL, e.g. {@code http://127.0.0.1:3000} (no trailing slash). */
    public URI apiUrl() {
        return gateway.url();
    }

    /** {@code apiUrl()} plus {@code path} (which starts with '/', and may carry a query string). */
    public URI apiUrl(String path) {
        return URI.create(gateway.url() + (path.startsWith("/") ? path : "/" + path));
    }

    /** The dev API key whose SHA-256 is in the template's ApiKeyDigestsSecret. */
    public String devApiKey() {
        return devApiKey;
    }

    public LocalAws localAws() {
        return localAws;
    }

    /** A function by logical id, e.g. {@code function("ApiFunction")}. */
    public LocalFunction function(String logicalId) {
        LocalFunction f = functions.get(logicalId);
        if (f == null) {
            throw new IllegalArgumentException("No function " + logicalId + " (known: " + functions.keySet() + ")");
        }
        return f;
    }

    /** Every function, by logical id, in template order. */
    public Map<String, LocalFunction> functions() {
        return Map.copyOf(functions);
    }

    public HttpApiRouter router() {
        return router;
    }

    public HttpApiGateway gateway() {
        return gateway;
    }

    public List<SqsEventSource> sqsEventSources() {
        return List.copyOf(sqsEventSources);
    }

    public List<ScheduleTrigger> schedules() {
        return List.copyOf(schedules);
    }

    /** Fires the function's (first) schedule now, synchronously, and returns the function's answer. */
    public String fireSchedule(String functionLogicalId) {
        return fireSchedule(functionLogicalId, null);
    }

    /** Fires the named schedule event of the function now (null: its first one) and returns the answer. */
    public String fireSchedule(String functionLogicalId, String eventName) {
        for (ScheduleTrigger t : schedules) {
            if (t.definition().functionLogicalId().equals(functionLogicalId)
                    && (eventName == null || t.definition().eventName().equals(eventName))) {
                return new String(t.fireNow(), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException(functionLogicalId + " has no schedule event"
                + (eventName == null ? "" : " named " + eventName));
    }

    /** Largest peak RSS (VmHWM) of the function's processes so far, in bytes. */
    public long peakRssBytes(String functionLogicalId) {
        return function(functionLogicalId).peakRssBytes();
    }

    /** How long {@link #start} took, in milliseconds. */
    public long startMillis() {
        return startMillis;
    }

    /** Where function logs are written. */
    public Path logDir() {
        return logDir != null ? logDir : LocalFunction.Paths.under(workDir).logDir();
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        schedules.forEach(ScheduleTrigger::close);
        sqsEventSources.forEach(SqsEventSource::close);
        if (gateway != null) {
            gateway.close();
        }
        List<Thread> stoppers = new ArrayList<>();
        for (LocalFunction f : functions.values()) {
            Thread t = new Thread(f::close, "stop-" + f.logicalId());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (localAws != null) {
            try {
                localAws.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Stopping the AWS stand-ins failed", e);
            }
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Closing the local cloud failed", e);
        }
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws InterruptedException {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            System.out.print(LocalCloudOptions.usage());
            return;
        }
        LocalCloudOptions options;
        try {
            options = LocalCloudOptions.defaults().parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("Starting the Dispatch local cloud...");
        LocalCloud cloud = start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the local cloud...");
            cloud.closeQuietly();
            stopped.countDown();
        }, "local-cloud-main-shutdown"));
        System.out.println(cloud.banner());
        if (options.sample()) {
            try {
                System.out.println(SampleCampaign.run(cloud));
            } catch (RuntimeException e) {
                System.out.println("The sample campaign could not be sent: " + e.getMessage());
            }
        }
        stopped.await();
    }

    /** A summary of what runs where, as printed by {@link #main}. */
    public String banner() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%nDispatch local cloud is up (%d functions, started in %.1f s)%n", functions.size(),
                startMillis / 1000.0));
        b.append(String.format("  API             %s%n", apiUrl()));
        b.append(String.format("  Swagger UI      %s%n", apiUrl("/docs")));
        b.append(String.format("  Dev API key     %s%n", devApiKey));
        b.append(String.format("  Dashboard       %s (sign in with the dev API key)%n", apiUrl("/dashboard")));
        b.append(String.format("  SES mail viewer %s%n", localAws.sesEndpoint()));
        b.append(String.format("  Webhooks        %s (HMAC secret %s, format in events/README.md)%n",
                apiUrl("/webhooks/generic"), genericWebhookSecret));
        b.append(String.format("  Allowed senders %s (--parameter SenderAllowlist=...)%n", senderAllowlist));
        b.append(String.format("  DynamoDB        %s%s%n", localAws.dynamoDbEndpoint(),
                options.persistDir() == null ? " (in memory)" : " (persisted in " + options.persistDir() + ")"));
        b.append(String.format("  SQS             %s%n", localAws.sqsEndpoint()));
        b.append(String.format("  Secrets Manager %s (moto; the template's secrets)%n", localAws.secretsManagerEndpoint()));
        b.append(String.format("  Function logs   %s%n", logDir()));
        b.append(String.format("%nFunctions (init time, peak RSS):%n"));
        for (LocalFunction f : functions.values()) {
            if (f.initFailing() || f.lastInitMillis() < 0) {
                b.append(String.format("  %-26s NOT READY (%s) see %s%n", f.logicalId(),
                        f.initFailing() ? "init fails" : "still starting", f.logFile()));
            } else {
                b.append(String.format("  %-26s %5d ms %6d MB  x%d  %s%n", f.logicalId(), f.lastInitMillis(),
                        f.peakRssBytes() / (1024 * 1024), f.spec().concurrency(), f.logFile().getFileName()));
            }
        }
        b.append(String.format("%nRoutes:%n"));
        for (HttpApiRouter.Route r : router.routes()) {
            b.append(String.format("  %-40s -> %s%n", r.routeKey(), r.target()));
        }
        if (!sqsEventSources.isEmpty()) {
            b.append(String.format("%nSQS event sources:%n"));
            for (SqsEventSource s : sqsEventSources) {
                SqsEventSource.Mapping m = s.mapping();
                b.append(String.format("  %-26s -> %s (batch %d%s%s)%n", m.queueLogicalId(), m.functionLogicalId(),
                        m.batchSize(), m.reportBatchItemFailures() ? ", ReportBatchItemFailures" : "",
                        m.maximumConcurrency() == null ? "" : ", at most " + m.maximumConcurrency() + " at once"));
            }
        }
        if (!schedules.isEmpty()) {
            b.append(String.format("%nSchedules:%n"));
            for (ScheduleTrigger t : schedules) {
                ScheduleTrigger.Definition d = t.definition();
                b.append(String.format("  %-26s %s %s%n", d.functionLogicalId() + "." + d.eventName(), d.expressionText(),
                        t.nextFire() == null ? "(not scheduled)" : "next at " + t.nextFire()));
            }
        }
        b.append(String.format("%nPress Ctrl-C to stop.%n"));
        return b.toString();
    }

    // ------------------------------------------------------------------ helpers

    /** Sets {@code sun.net.httpserver.nodelay} before the JDK HTTP server is first used (else ~80 ms per call). */
    static void configureHttpServer() {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static ScheduledExecutorService sharedTimers() {
        ScheduledExecutorService timers = sharedTimers;
        if (timers == null) {
            synchronized (LocalCloud.class) {
                if (sharedTimers == null) {
                    sharedTimers = Executors.newScheduledThreadPool(2, daemonThreads("local-cloud-timer"));
                }
                timers = sharedTimers;
            }
        }
        return timers;
    }

    static String randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Lower-case hex SHA-256 of the UTF-8 text (what the ApiKeyDigestsSecret's "sha256" list holds). */
    public static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
