package dev.dispatch.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One function of the template, run from its deployment package exactly as the managed Java runtime runs it: AWS's
 * runtime interface client in its own JVM per execution environment, polling this function's Runtime API.
 * {@link #invoke(byte[])} queues an invocation; whichever process is free takes it.
 */
public final class LocalFunction implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalFunction.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    /** Where the local cloud keeps unpacked code, logs and the JNI library. */
    public record Paths(Path codeCache, Path logDir, Path jniDir) {
        public Paths {
            codeCache = codeCache.toAbsolutePath().normalize();
            logDir = logDir.toAbsolutePath().normalize();
            jniDir = jniDir.toAbsolutePath().normalize();
        }

        public static Paths under(Path dir) {
            return new Paths(dir.resolve("code"), dir.resolve("logs"), dir.resolve("jni"));
        }
    }

    /** Counters and measurements for one function (a benchmark reads these). */
    public record Stats(String logicalId, String functionName, int processStarts, long firstInitMillis,
            long lastInitMillis, long peakRssBytes, long invocations, long errors, long timeouts) {
    }

    private final FunctionSpec spec;
    private final Map<String, String> awsEnvironment;
    private final String region;
    private final String accountId;
    private final Paths paths;
    private final boolean verbose;
    private final ScheduledExecutorService timers;
    private final String functionArn;
    private final Path logFile;

    private final FunctionProcess[] slots;
    private final java.util.concurrent.ScheduledFuture<?>[] pendingRestarts;
    private final List<FunctionProcess> started = new ArrayList<>();
    private final AtomicInteger processStarts = new AtomicInteger();
    private final AtomicInteger consecutiveInitFailures = new AtomicInteger();
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private volatile long firstInitMillis = -1;
    private volatile long firstStartNanos;
    private volatile long lastInitMillis = -1;
    private volatile long peakRssOfExited;
    private volatile byte[] lastInitError;
    private volatile String lastInitErrorType;
    private volatile boolean closed;

    private RuntimeApiServer server;
    private List<String> command;
    private Path taskRoot;
    private java.util.concurrent.ScheduledFuture<?> rssSampler;

    LocalFunction(FunctionSpec spec, Map<String, String> awsEnvironment, String accountId, Paths paths, boolean verbose,
            ScheduledExecutorService timers) {
        this.spec = spec;
        this.awsEnvironment = Map.copyOf(awsEnvironment);
        this.region = awsEnvironment.getOrDefault("AWS_REGION", "us-east-1");
        this.accountId = accountId;
        this.paths = paths;
        this.verbose = verbose;
        this.timers = timers;
        this.functionArn = "arn:aws:lambda:" + region + ":" + accountId + ":function:" + spec.functionName();
        this.logFile = paths.logDir().resolve(spec.functionName() + ".log");
        this.slots = new FunctionProcess[spec.concurrency()];
        this.pendingRestarts = new java.util.concurrent.ScheduledFuture<?>[spec.concurrency()];
    }

    /**
     * Starts a function outside a {@link LocalCloud} (tests of the runtime itself). {@code awsEnvironment} is added
     * to the function's environment (region, credentials, endpoints).
     */
    public static LocalFunction start(FunctionSpec spec, Map<String, String> awsEnvironment, Path workDir,
            boolean verbose) {
        LocalFunction function = new LocalFunction(spec, awsEnvironment, "000000000000", Paths.under(workDir), verbose,
                LocalCloud.sharedTimers());
        function.start();
        return function;
    }

    public FunctionSpec spec() {
        return spec;
    }

    public String logicalId() {
        return spec.logicalId();
    }

    public String functionName() {
        return spec.functionName();
    }

    public String functionArn() {
        return functionArn;
    }

    /** This function's process output (all of its processes append to it). */
    public Path logFile() {
        return logFile;
    }

    /** host:port of this function's Runtime API. */
    public String runtimeApiAddress() {
        return server.address();
    }

    synchronized void start() {
        try {
            taskRoot = CodePackages.taskRoot(spec.logicalId(), spec.code(), paths.codeCache());
            Files.createDirectories(paths.logDir());
            Files.writeString(logFile, "", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Path jni = RuntimeJars.jniLibrary(paths.jniDir());
            server = new RuntimeApiServer(spec.functionName(), functionArn, spec.timeout(), new ServerListener(),
                    timers);
            command = command(jni);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + spec.logicalId(), e);
        }
        for (int slot = 0; slot < slots.length; slot++) {
            spawn(slot);
        }
        rssSampler = timers.scheduleWithFixedDelay(this::samplePeakRss, 250, 500, TimeUnit.MILLISECONDS);
    }

    /**
     * A runtime process must not outlive the local cloud, even when this JVM is killed with SIGKILL (Quarkus keeps
     * non-daemon threads, so the JVM would stay up after the runtime client's loop ends). On Linux the command runs
     * under {@code sh}, which starts a small watchdog and then {@code exec}s the JVM: the process (and its pid, RSS and
     * signals) is the JVM itself; the watchdog kills it once this JVM is gone.
     */
    private static final String WATCHDOG = "parent=$1; shift; "
            + "( while kill -0 \"$parent\" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 2; done; "
            + "kill -0 \"$parent\" 2>/dev/null || kill -9 $$ 2>/dev/null ) </dev/null >/dev/null 2>&1 & "
            + "exec \"$@\"";

    private List<String> command(Path jni) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/bin/sh")) && Files.isDirectory(Path.of("/proc"))) {
            cmd.add("/bin/sh");
            cmd.add("-c");
            cmd.add(WATCHDOG);
            cmd.add("local-cloud-runtime");
            cmd.add(Long.toString(ProcessHandle.current().pid()));
        }
        cmd.add(javaExecutable());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:+TieredCompilation");
        cmd.add("-XX:TieredStopAtLevel=1");
        // The execution environment's memory is MemorySize: the JVM sizes itself from it (initial heap 1/64 of it, young
        // generation, GC and compiler threads), not from the developer machine's RAM. Without this the local JVM took
        // an initial heap of 1/64 of the host's RAM (377 MB on a 24 GB machine) and its resident set grew to match.
        cmd.add("-XX:MaxRAM=" + spec.memoryMb() + "m");
        cmd.add("-Xmx" + spec.heapMb() + "m");
        cmd.add("-Xshare:auto");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-D" + RuntimeJars.JNI_PROPERTY + "=" + jni);
        cmd.addAll(spec.jvmOptions());
        cmd.add("-cp");
        cmd.add(RuntimeJars.classPath().stream().map(Path::toString)
                .collect(Collectors.joining(java.io.File.pathSeparator)));
        cmd.add(RuntimeJars.MAIN_CLASS);
        cmd.add(spec.handler());
        return cmd;
    }

    private static String javaExecutable() {
        String override = System.getProperty("dispatch.local.java", System.getenv("DISPATCH_LOCAL_JAVA"));
        if (override != null && !override.isBlank()) {
            return override;
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.putAll(spec.environment());
        env.putAll(awsEnvironment);
        // Keep the developer's ~/.aws profiles out of the function, as on Lambda.
        env.putIfAbsent("AWS_CONFIG_FILE", taskRoot.resolve(".aws-config-none").toString());
        env.putIfAbsent("AWS_SHARED_CREDENTIALS_FILE", taskRoot.resolve(".aws-credentials-none").toString());
        // Reserved variables: Lambda sets these and a function can't override them.
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime());
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_RUNTIME_API", server.address());
        env.put("_HANDLER", spec.handler());
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", spec.functionName());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec.functionName());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy/MM/dd"))
                + "/[$LATEST]" + randomHex(16));
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        return env;
    }

    private void spawn(int slot) {
        if (closed) {
            return;
        }
        refreshTaskRoot();
        ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment());
        if (verbose) {
            builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
        } else {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        }
        FunctionProcess fp;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                long startedAt = System.nanoTime();
                fp = new FunctionProcess(slot, builder.start(), startedAt);
            } catch (IOException e) {
                LOG.log(Level.SEVERE, spec.logicalId() + ": cannot start a runtime process", e);
                scheduleRestart(slot, 5_000);
                return;
            }
            slots[slot] = fp;
            started.add(fp);
            if (firstStartNanos == 0) {
                firstStartNanos = fp.startedAtNanos;
            }
            processStarts.incrementAndGet();
        }
        note("process " + fp.pid() + " started (slot " + slot + ")");
        if (verbose) {
            pump(fp);
        }
        fp.process.onExit().thenRun(() -> exited(fp));
    }

    /** A rebuilt deployment package is unpacked and used from the next process start on. */
    private void refreshTaskRoot() {
        try {
            Path current = CodePackages.taskRoot(spec.logicalId(), spec.code(), paths.codeCache());
            synchronized (this) {
                if (!current.equals(taskRoot)) {
                    note("deployment package changed: now running " + current.getFileName());
                    taskRoot = current;
                }
            }
        } catch (RuntimeException e) {
            note("cannot unpack " + spec.code() + " (" + e.getMessage() + "); keeping " + taskRoot.getFileName());
        }
    }

    private void pump(FunctionProcess fp) {
        Thread thread = new Thread(() -> {
            String prefix = "[" + spec.functionName() + "] ";
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(fp.process.getInputStream(), StandardCharsets.UTF_8));
                    OutputStream log = Files.newOutputStream(logFile, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    log.write((line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
                    log.flush();
                    System.out.println(prefix + line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "log-" + spec.functionName() + "-" + fp.pid());
        thread.setDaemon(true);
        thread.start();
    }

    private void exited(FunctionProcess fp) {
        peakRssOfExited = Math.max(peakRssOfExited, fp.peakRssBytes());
        int code = fp.process.exitValue();
        String how = code > 128 ? "signal: " + signalName(code - 128) : "exit status " + code;
        if (closed) {
            return;
        }
        note("process " + fp.pid() + " exited (" + how + (fp.wasKilled() ? ", killed by the local cloud" : "") + ")");
        server.failRunningOf(fp, error(spec.functionName(), "Runtime.ExitError",
                "Runtime exited with error: " + how));
        boolean anyLive;
        synchronized (this) {
            anyLive = false;
            for (FunctionProcess other : slots) {
                if (other != null && other != fp && other.isLive()) {
                    anyLive = true;
                }
            }
        }
        if (!anyLive) {
            server.failRunningWithoutOwner(error(spec.functionName(), "Runtime.ExitError",
                    "Runtime exited with error: " + how));
        }
        long delay = 0;
        if (!fp.hasPolled()) {
            int failures = consecutiveInitFailures.incrementAndGet();
            delay = Math.min(30_000L, 500L << Math.min(6, failures - 1));
            if (!anyPolledLive()) {
                byte[] init = lastInitError;
                FunctionErrorException error = init != null
                        ? new FunctionErrorException(spec.functionName(), lastInitErrorType, init)
                        : error(spec.functionName(), "Runtime.ExitError",
                                "Runtime exited without providing a reason (" + how + ") during init; see " + logFile);
                server.failQueued(error);
            }
            LOG.warning(spec.logicalId() + ": runtime process exited during init (" + how + "); see " + logFile
                    + "; restarting in " + delay + " ms");
        }
        scheduleRestart(fp.slot, delay);
    }

    private synchronized boolean anyPolledLive() {
        for (FunctionProcess p : slots) {
            if (p != null && p.isLive() && p.hasPolled()) {
                return true;
            }
        }
        return false;
    }

    private synchronized void scheduleRestart(int slot, long delayMs) {
        if (closed) {
            return;
        }
        pendingRestarts[slot] = timers.schedule(() -> {
            synchronized (this) {
                pendingRestarts[slot] = null;
            }
            spawn(slot);
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * An invocation arrived while processes wait out an init-failure back-off: start them now, as Lambda starts
     * an execution environment on demand (the invocation gets the init error if init fails again).
     */
    private synchronized void restartPendingNow() {
        for (int slot = 0; slot < pendingRestarts.length; slot++) {
            var pending = pendingRestarts[slot];
            if (pending != null && pending.getDelay(TimeUnit.MILLISECONDS) > 0 && pending.cancel(false)) {
                pendingRestarts[slot] = null;
                int s = slot;
                timers.execute(() -> spawn(s));
            }
        }
    }

    /** True while init keeps failing: the last process of every slot exited before polling the Runtime API. */
    public boolean initFailing() {
        return consecutiveInitFailures.get() > 0 && !anyPolledLive();
    }

    /** The last init error the runtime reported ({@code /init/error}), or null. */
    public String lastInitError() {
        byte[] e = lastInitError;
        return e == null ? null : new String(e, StandardCharsets.UTF_8);
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 9 -> "killed";
            case 15 -> "terminated";
            case 6 -> "aborted";
            case 11 -> "segmentation fault";
            default -> Integer.toString(signal);
        };
    }

    private void note(String message) {
        String line = "[local-cloud] " + java.time.Instant.now() + " " + spec.functionName() + ": " + message
                + System.lineSeparator();
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // log is best effort
        }
        if (verbose) {
            System.out.print("[" + spec.functionName() + "] " + line);
        }
    }

    /** Waits until every process of this function has finished init (polled the Runtime API once). */
    public boolean awaitReady(Duration timeout) {
        return awaitReady(timeout, Integer.MAX_VALUE);
    }

    /**
     * Waits until every process has finished init; gives up early (false) once init has failed
     * {@code maxInitFailures} times in a row.
     */
    public boolean awaitReady(Duration timeout, int maxInitFailures) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (consecutiveInitFailures.get() >= maxInitFailures) {
                return false;
            }
            boolean all = true;
            synchronized (this) {
                for (FunctionProcess p : slots) {
                    if (p == null || !p.isLive() || !p.hasPolled()) {
                        all = false;
                        break;
                    }
                }
            }
            if (all) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Invokes the function synchronously (RequestResponse) and returns its response payload.
     *
     * @throws FunctionErrorException   the function failed, timed out or its process died
     * @throws PayloadTooLargeException the payload is over Lambda's 6 MB limit
     */
    public byte[] invoke(byte[] payloadJson) {
        try {
            return invokeAsync(payloadJson).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while invoking " + spec.functionName(), e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** Like {@link #invoke(byte[])} but gives up waiting after {@code wait} (the invocation itself goes on). */
    public byte[] invoke(byte[] payloadJson, Duration wait) throws TimeoutException {
        try {
            return invokeAsync(payloadJson).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while invoking " + spec.functionName(), e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    public String invoke(String payloadJson) {
        return new String(invoke(payloadJson.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** Queues an invocation; the future completes with the response or a {@link FunctionErrorException}. */
    public CompletableFuture<byte[]> invokeAsync(byte[] payloadJson) {
        if (payloadJson.length > RuntimeApiServer.MAX_PAYLOAD_BYTES) {
            throw new PayloadTooLargeException("Request must be smaller than " + RuntimeApiServer.MAX_PAYLOAD_BYTES
                    + " bytes for the InvokeFunction operation (got " + payloadJson.length + ")");
        }
        if (closed) {
            return CompletableFuture.failedFuture(error(spec.functionName(), "Runtime.Closed", "The local cloud is closed"));
        }
        invocations.incrementAndGet();
        Invocation invocation = new Invocation(UUID.randomUUID().toString(), traceId(), payloadJson.clone());
        server.submit(invocation);
        if (consecutiveInitFailures.get() > 0) {
            restartPendingNow();
        }
        return invocation.result.whenComplete((r, t) -> {
            if (t != null) {
                errors.incrementAndGet();
                if (t instanceof FunctionErrorException f && f.isTimeout()) {
                    timeouts.incrementAndGet();
                }
            }
        });
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new IllegalStateException(cause);
    }

    /** Process ids of the live runtime processes (one per concurrency slot). */
    public synchronized List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (FunctionProcess p : slots) {
            if (p != null && p.isLive()) {
                pids.add(p.pid());
            }
        }
        return pids;
    }

    /** Largest peak resident set (VmHWM) of any of this function's processes so far, in bytes. */
    public long peakRssBytes() {
        long peak = peakRssOfExited;
        List<FunctionProcess> live;
        synchronized (this) {
            live = new ArrayList<>(started);
        }
        for (FunctionProcess p : live) {
            if (p.process.isAlive()) {
                p.samplePeakRss();
            }
            peak = Math.max(peak, p.peakRssBytes());
        }
        return peak;
    }

    void samplePeakRss() {
        List<FunctionProcess> live;
        synchronized (this) {
            for (FunctionProcess p : started) {
                if (!p.process.isAlive()) {
                    peakRssOfExited = Math.max(peakRssOfExited, p.peakRssBytes());
                }
            }
            started.removeIf(p -> !p.process.isAlive());
            live = new ArrayList<>(started);
        }
        for (FunctionProcess p : live) {
            p.samplePeakRss();
        }
    }

    /** {@link System#nanoTime()} when this function's first runtime process was started (0 before). */
    public long firstStartNanos() {
        return firstStartNanos;
    }

    /** Process start to first Runtime API poll of the most recent process ("Init Duration"), -1 before. */
    public long lastInitMillis() {
        return lastInitMillis;
    }

    public Stats stats() {
        return new Stats(spec.logicalId(), spec.functionName(), processStarts.get(), firstInitMillis, lastInitMillis,
                peakRssBytes(), invocations.get(), errors.get(), timeouts.get());
    }

    static FunctionErrorException error(String functionName, String type, String message) {
        String json = "{\"errorMessage\":" + Json.quote(message) + ",\"errorType\":" + Json.quote(type) + "}";
        return new FunctionErrorException(functionName, type, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String traceId() {
        long seconds = System.currentTimeMillis() / 1000;
        return "Root=1-" + Long.toHexString(seconds) + "-" + randomHex(12) + ";Parent=" + randomHex(8) + ";Sampled=0";
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    @Override
    public void close() {
        List<FunctionProcess> toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(started);
        }
        if (rssSampler != null) {
            rssSampler.cancel(false);
        }
        for (FunctionProcess p : toStop) {
            peakRssOfExited = Math.max(peakRssOfExited, p.samplePeakRss());
        }
        for (FunctionProcess p : toStop) {
            p.process.destroy(); // SIGTERM first, as Lambda's shutdown phase
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (FunctionProcess p : toStop) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                if (!p.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.process.destroyForcibly();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private final class ServerListener implements RuntimeApiServer.Listener {
        @Override
        public FunctionProcess ownerOf(InetSocketAddress remote) {
            List<FunctionProcess> live = new ArrayList<>();
            synchronized (LocalFunction.this) {
                for (FunctionProcess p : slots) {
                    if (p != null && p.isLive()) {
                        live.add(p);
                    }
                }
            }
            if (live.size() == 1) {
                return live.get(0);
            }
            if (live.isEmpty() || remote == null) {
                return null;
            }
            return SocketOwners.find(live, remote.getPort(), server.port());
        }

        @Override
        public void polled(FunctionProcess process) {
            if (process.markPolled()) {
                long init = process.initMillis();
                lastInitMillis = init;
                if (firstInitMillis < 0) {
                    firstInitMillis = init;
                }
                consecutiveInitFailures.set(0);
                process.samplePeakRss();
                note("process " + process.pid() + " ready: init took " + init + " ms");
            }
        }

        @Override
        public void initError(FunctionProcess process, String errorType, byte[] body) {
            lastInitErrorType = errorType;
            lastInitError = body;
            note("init error " + errorType + ": " + new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public void timedOut(Invocation invocation) {
            FunctionProcess owner = invocation.owner();
            note("invocation " + invocation.requestId + " timed out after " + spec.timeout().toMillis() + " ms"
                    + (owner != null ? ": killing process " + owner.pid() : ""));
            if (owner != null) {
                owner.kill();
            }
        }
    }
}
