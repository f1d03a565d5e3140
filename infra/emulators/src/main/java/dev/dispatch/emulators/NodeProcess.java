package dev.dispatch.emulators;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A stand-in run as a child process on 127.0.0.1 (a Node.js script, or any command such as moto's server), with its
 * output in a log file. Package-private plumbing.
 */
final class NodeProcess implements AutoCloseable {

    static final String NODE_PROPERTY = "dispatch.node";
    static final String LOG_DIR_PROPERTY = "dispatch.emulators.logDir";

    private final String name;
    private final Process process;
    private final int port;
    private final Path logFile;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private NodeProcess(String name, Process process, int port, Path logFile) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.shutdownHook = new Thread(this::kill, "stop-" + name + "-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code node <infraDir>/node_modules/<script> args...} where the placeholder {@code {port}} in args is
     * replaced by a free port, then waits until {@code ready} answers true (after the port accepts connections).
     */
    static NodeProcess start(String name, Path infraDir, String script, List<String> args, Map<String, String> env,
            Duration timeout, ReadyCheck ready) {
        Path scriptPath = infraDir.resolve("node_modules").resolve(script);
        if (!Files.isRegularFile(scriptPath)) {
            throw new IllegalStateException(name + " is not installed: " + scriptPath + " is missing. Run `npm ci` in "
                    + infraDir + " (the Maven build of infra/emulators runs it in generate-resources).");
        }
        List<String> command = new ArrayList<>();
        command.add(findNode());
        command.add(scriptPath.toString());
        command.addAll(args);
        return startCommand(name, infraDir, command, env, timeout, ready);
    }

    /**
     * Starts any command the same way (a stand-in that is not a Node.js script, such as moto's Python server): the
     * placeholder {@code {port}} in the command is replaced by a free port.
     */
    static NodeProcess startCommand(String name, Path workDir, List<String> command, Map<String, String> env,
            Duration timeout, ReadyCheck ready) {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freePort();
            List<String> cmd = new ArrayList<>();
            for (String a : command) {
                cmd.add(a.replace("{port}", Integer.toString(port)));
            }
            Path log = logDir().resolve(name + "-" + port + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            pb.environment().putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start " + name + " with " + cmd, e);
            }
            NodeProcess np = new NodeProcess(name, p, port, log);
            try {
                np.awaitReady(timeout, ready);
                return np;
            } catch (IllegalStateException e) {
                np.close();
                last = e;
            }
        }
        throw last;
    }

    @FunctionalInterface
    interface ReadyCheck {
        boolean ready(int port) throws Exception;
    }

    private void awaitReady(Duration timeout, ReadyCheck ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + " before it answered on port "
                        + port + "; log " + logFile + ":\n" + tail());
            }
            if (portOpen(port)) {
                try {
                    if (ready.ready(port)) {
                        return;
                    }
                } catch (Exception e) {
                    lastError = e;
                }
            }
            sleep(25);
        }
        throw new IllegalStateException(name + " did not answer on 127.0.0.1:" + port + " within " + timeout
                + (lastError == null ? "" : " (last error: " + lastError + ")") + "; log " + logFile + ":\n" + tail());
    }

    int port() {
        return port;
    }

    Path logFile() {
        return logFile;
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | SecurityException ignored) {
            // JVM already shutting down
        }
    }

    private synchronized void kill() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) {
                c.destroyForcibly();
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static String findNode() {
        String explicit = System.getProperty(NODE_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isBlank()) {
                    continue;
                }
                for (String exe : List.of("node", "node.exe")) {
                    Path candidate = Path.of(dir, exe);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return candidate.toString();
                    }
                }
            }
        }
        throw new IllegalStateException("`node` is not on the PATH (or set -D" + NODE_PROPERTY + "=/path/to/node); "
                + "the local DynamoDB and SES stand-ins need Node.js 20+");
    }

    /** Log folder: -Ddispatch.emulators.logDir, else ./target/emulator-logs when ./target exists, else <root>/.local/logs. */
    static Path logDir() {
        String explicit = System.getProperty(LOG_DIR_PROPERTY);
        Path dir;
        if (explicit != null && !explicit.isBlank()) {
            dir = Path.of(explicit);
        } else if (Files.isDirectory(Path.of("target"))) {
            dir = Path.of("target", "emulator-logs").toAbsolutePath();
        } else {
            dir = ProjectLayout.root().resolve(".local").resolve("logs");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create log folder " + dir, e);
        }
        return dir;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on 127.0.0.1", e);
        }
    }

    static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void waitUntil(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what);
            }
            sleep(25);
        }
    }
}
