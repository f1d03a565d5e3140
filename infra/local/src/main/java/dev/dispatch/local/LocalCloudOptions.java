package dev.dispatch.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of a {@link LocalCloud}. Defaults come from system properties ({@code dispatch.local.*}), then
 * {@link #parseArgs(String...)} applies command-line options over them.
 */
public final class LocalCloudOptions {
    private Path projectRoot;
    private int port = 3000;
    private String bindAddress = "127.0.0.1";
    private Path persistDir;
    private int defaultConcurrency = 1;
    private final Map<String, Integer> concurrency = new LinkedHashMap<>();
    private final Map<String, Duration> timeouts = new LinkedHashMap<>();
    private final Map<String, Integer> sqsBatchSizes = new LinkedHashMap<>();
    private boolean verbose;
    private Integer sqsVisibilityTimeoutSeconds;
    private boolean schedulesEnabled = true;
    private String devApiKey;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Duration readyTimeout = Duration.ofSeconds(180);
    private Path workDir;
    private Path logDir;

    /** Defaults, overridden by system properties {@code dispatch.local.port}, {@code .persist}, {@code .concurrency}, ... */
    public static LocalCloudOptions defaults() {
        LocalCloudOptions o = new LocalCloudOptions();
        String port = System.getProperty("dispatch.local.port");
        if (port != null) {
            o.port(Integer.parseInt(port.trim()));
        }
        String host = System.getProperty("dispatch.local.host");
        if (host != null) {
            o.bindAddress(host.trim());
        }
        String persist = System.getProperty("dispatch.local.persist");
        if (persist != null && !persist.isBlank()) {
            o.persistDir(Path.of(persist));
        }
        String concurrency = System.getProperty("dispatch.local.concurrency");
        if (concurrency != null && !concurrency.isBlank()) {
            o.concurrency(concurrency);
        }
        if (Boolean.getBoolean("dispatch.local.verbose")) {
            o.verbose(true);
        }
        String visibility = System.getProperty("dispatch.local.sqsVisibilityTimeout");
        if (visibility != null && !visibility.isBlank()) {
            o.sqsVisibilityTimeoutSeconds(Integer.parseInt(visibility.trim()));
        }
        String schedules = System.getProperty("dispatch.local.schedules");
        if (schedules != null) {
            o.schedulesEnabled(Boolean.parseBoolean(schedules.trim()));
        }
        String key = System.getenv("DISPATCH_DEV_API_KEY");
        if (key != null && !key.isBlank()) {
            o.devApiKey(key.trim());
        }
        String logs = System.getProperty("dispatch.local.logDir");
        if (logs != null && !logs.isBlank()) {
            o.logDir(Path.of(logs));
        }
        String ready = System.getProperty("dispatch.local.readyTimeoutSeconds");
        if (ready != null && !ready.isBlank()) {
            o.readyTimeout(Duration.ofSeconds(Long.parseLong(ready.trim())));
        }
        return o;
    }

    /**
     * Applies command-line options: {@code --port N}, {@code --host ADDR}, {@code --persist DIR},
     * {@code --concurrency N | Id=N[,Id=N]}, {@code --sqs-visibility-timeout S}, {@code --no-schedules},
     * {@code --parameter Name=Value}, {@code --secret LogicalId=Value}, {@code --api-key KEY}, {@code --project DIR},
     * {@code --verbose}.
     */
    public LocalCloudOptions parseArgs(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--verbose", "-v" -> verbose(true);
                case "--no-schedules" -> schedulesEnabled(false);
                case "--no-sample" -> sample(false);
                case "--help", "-h" -> throw new IllegalArgumentException(usage());
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("Missing value for " + arg + "\n" + usage());
                        }
                        value = args[++i];
                    }
                    apply(arg, value);
                }
            }
        }
        return this;
    }

    private void apply(String option, String value) {
        switch (option) {
            case "--port", "-p" -> port(Integer.parseInt(value.trim()));
            case "--host" -> bindAddress(value.trim());
            case "--persist" -> persistDir(Path.of(value));
            case "--concurrency" -> concurrency(value);
            case "--sqs-visibility-timeout" -> sqsVisibilityTimeoutSeconds(Integer.parseInt(value.trim()));
            case "--parameter" -> {
                int eq = value.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--parameter needs Name=Value, got " + value);
                }
                parameter(value.substring(0, eq), value.substring(eq + 1));
            }
            case "--secret" -> {
                int eq = value.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--secret needs LogicalId=Value"); // the value is never echoed
                }
                secret(value.substring(0, eq), value.substring(eq + 1));
            }
            case "--api-key" -> devApiKey(value);
            case "--project" -> projectRoot(Path.of(value));
            default -> throw new IllegalArgumentException("Unknown option " + option + "\n" + usage());
        }
    }

    public static String usage() {
        return """
                Usage: infra/bin/run-local [--no-build] [--offline] [options]
                  --no-build                  start from the function.zip files already built (else mvn install first)
                  --offline, -o               run Maven offline
                  --port N                    HTTP API port (default 3000; 0 = a free port)
                  --host ADDR                 interface to listen on (default 127.0.0.1)
                  --persist DIR               keep DynamoDB data in DIR (default: in memory)
                  --concurrency N|Id=N,...    runtime processes per function (default 1)
                  --sqs-visibility-timeout S  receive SQS messages with this visibility timeout (retries in S seconds)
                  --no-schedules              don't fire Schedule events automatically
                  --no-sample                 don't seed sample subscribers and send the sample campaign
                  --parameter Name=Value      a template parameter value
                  --secret Id=Value           the value of a template secret (e.g. PostmarkServerTokenSecret={"serverToken":"..."})
                  --api-key KEY               the dev API key (default: $DISPATCH_DEV_API_KEY, else random)
                  --verbose, -v               echo function output and requests
                """;
    }

    /** {@code "2"} for every function, or {@code "ApiFunction=2,SendBatchFunction=3"}. */
    public LocalCloudOptions concurrency(String spec) {
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                defaultConcurrency = positive(Integer.parseInt(p), "concurrency");
            } else {
                concurrency.put(p.substring(0, eq).trim(), positive(Integer.parseInt(p.substring(eq + 1).trim()),
                        "concurrency"));
            }
        }
        return this;
    }

    private static int positive(int v, String what) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be at least 1: " + v);
        }
        return v;
    }

    public LocalCloudOptions projectRoot(Path root) {
        this.projectRoot = root;
        return this;
    }

    private boolean sample = true;

    /** Whether the run command seeds sample subscribers and sends a sample campaign (main only). */
    public boolean sample() {
        return sample;
    }

    public LocalCloudOptions sample(boolean value) {
        this.sample = value;
        return this;
    }

    public LocalCloudOptions port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
        return this;
    }

    public LocalCloudOptions bindAddress(String address) {
        this.bindAddress = address;
        return this;
    }

    public LocalCloudOptions persistDir(Path dir) {
        this.persistDir = dir;
        return this;
    }

    public LocalCloudOptions concurrency(String functionLogicalId, int processes) {
        concurrency.put(functionLogicalId, positive(processes, "concurrency"));
        return this;
    }

    /** Runs the function with this timeout instead of the template's (tests of what happens near a timeout). */
    public LocalCloudOptions timeout(String functionLogicalId, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        timeouts.put(functionLogicalId, timeout);
        return this;
    }

    public Map<String, Duration> timeouts() {
        return Map.copyOf(timeouts);
    }

    /**
     * Gives the function's SQS event sources this BatchSize instead of the template's: a test that counts invocations
     * (a circuit breaker's calls) needs a known number of them, not however many messages one poll happened to catch.
     */
    public LocalCloudOptions sqsBatchSize(String functionLogicalId, int messages) {
        if (messages < 1 || messages > 10_000) {
            throw new IllegalArgumentException("sqsBatchSize must be 1..10000: " + messages);
        }
        sqsBatchSizes.put(functionLogicalId, messages);
        return this;
    }

    public Map<String, Integer> sqsBatchSizes() {
        return Map.copyOf(sqsBatchSizes);
    }

    public LocalCloudOptions defaultConcurrency(int processes) {
        this.defaultConcurrency = positive(processes, "concurrency");
        return this;
    }

    public LocalCloudOptions verbose(boolean verbose) {
        this.verbose = verbose;
        return this;
    }

    /** Receive SQS messages with this visibility timeout instead of the queue's (fast retries in tests); null = queue's. */
    public LocalCloudOptions sqsVisibilityTimeoutSeconds(Integer seconds) {
        if (seconds != null && (seconds < 0 || seconds > 43200)) {
            throw new IllegalArgumentException("visibility timeout out of range 0-43200: " + seconds);
        }
        this.sqsVisibilityTimeoutSeconds = seconds;
        return this;
    }

    public LocalCloudOptions schedulesEnabled(boolean enabled) {
        this.schedulesEnabled = enabled;
        return this;
    }

    public LocalCloudOptions devApiKey(String key) {
        this.devApiKey = key;
        return this;
    }

    public LocalCloudOptions parameter(String name, String value) {
        parameters.put(name, value);
        return this;
    }

    /** The value a template secret ({@code AWS::SecretsManager::Secret}, by logical id) is created with locally. */
    public LocalCloudOptions secret(String logicalId, String value) {
        secrets.put(logicalId, value);
        return this;
    }

    public Map<String, String> secrets() {
        return Map.copyOf(secrets);
    }

    /** An extra environment variable for every function process (over the template's; benchmarks, diagnostics). */
    public LocalCloudOptions environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public Map<String, String> environment() {
        return Map.copyOf(environment);
    }

    public LocalCloudOptions readyTimeout(Duration timeout) {
        this.readyTimeout = timeout;
        return this;
    }

    /** Where unpacked code, function logs and the JNI library go (default infra/local/target/local-cloud). */
    public LocalCloudOptions workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Where function logs go (default: workDir/logs). */
    public LocalCloudOptions logDir(Path dir) {
        this.logDir = dir;
        return this;
    }

    public Path logDir() {
        return logDir;
    }

    public Path projectRoot() {
        return projectRoot;
    }

    public int port() {
        return port;
    }

    public String bindAddress() {
        return bindAddress;
    }

    public Path persistDir() {
        return persistDir;
    }

    public int defaultConcurrency() {
        return defaultConcurrency;
    }

    public Map<String, Integer> concurrency() {
        return Map.copyOf(concurrency);
    }

    public boolean verbose() {
        return verbose;
    }

    public Integer sqsVisibilityTimeoutSeconds() {
        return sqsVisibilityTimeoutSeconds;
    }

    public boolean schedulesEnabled() {
        return schedulesEnabled;
    }

    public String devApiKey() {
        return devApiKey;
    }

    public Map<String, String> parameters() {
        return Map.copyOf(parameters);
    }

    public Duration readyTimeout() {
        return readyTimeout;
    }

    public Path workDir() {
        return workDir;
    }
}
