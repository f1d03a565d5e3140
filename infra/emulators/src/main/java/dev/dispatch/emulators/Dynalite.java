package dev.dispatch.emulators;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DynamoDB stand-in: npm {@code dynalite} as a child process on 127.0.0.1 and a free port. Tables are created,
 * deleted and updated instantly. close() (or a JVM shutdown hook) kills the process.
 */
public final class Dynalite implements AutoCloseable {

    private final NodeProcess process;

    private Dynalite(NodeProcess process) {
        this.process = process;
    }

    /** In-memory dynalite. */
    public static Dynalite start() {
        return start(null);
    }

    /** dynalite persisting to {@code persistDirOrNull} (created if missing), or in memory when null. */
    public static Dynalite start(Path persistDirOrNull) {
        return start(ProjectLayout.infraDir(), persistDirOrNull);
    }

    /** As {@link #start(Path)} with the node_modules of an explicit infra folder. Addition to the agreed API. */
    public static Dynalite start(Path infraDir, Path persistDirOrNull) {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "{port}",
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (persistDirOrNull != null) {
            try {
                Files.createDirectories(persistDirOrNull);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create dynalite folder " + persistDirOrNull, e);
            }
            args.add("--path");
            args.add(persistDirOrNull.toAbsolutePath().toString());
        }
        return new Dynalite(NodeProcess.start("dynalite", infraDir, "dynalite/cli.js", args, Map.of(),
                Duration.ofSeconds(20), port -> true));
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + process.port());
    }

    /** The node process (to check it is gone after close()). Addition to the agreed API. */
    public ProcessHandle processHandle() {
        return process.handle();
    }

    /** Where the process writes its output. Addition to the agreed API. */
    public Path logFile() {
        return process.logFile();
    }

    @Override
    public void close() {
        process.close();
    }
}
