package dev.dispatch.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Unpacks a deployment package the way Lambda does before starting an execution environment. */
final class CodePackages {
    private static final String COMPLETE_MARKER = ".dispatch-local-unpacked";

    private CodePackages() {
    }

    /**
     * The task root for {@code code}: a folder is used as it is; a zip is unpacked (once per version of the zip,
     * keyed by size and modification time) into {@code cacheDir}.
     */
    static Path taskRoot(String logicalId, Path code, Path cacheDir) {
        if (Files.isDirectory(code)) {
            return code.toAbsolutePath();
        }
        if (!Files.isRegularFile(code)) {
            throw new IllegalStateException(logicalId + ": no deployment package at " + code
                    + " (build it with: mvn -B package -DskipTests)");
        }
        try {
            String key = Long.toHexString(Files.size(code)) + "-"
                    + Long.toHexString(Files.getLastModifiedTime(code).toMillis());
            Path target = cacheDir.resolve(logicalId + "-" + key);
            if (Files.exists(target.resolve(COMPLETE_MARKER))) {
                return target;
            }
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempDirectory(cacheDir, logicalId + "-unpacking-");
            unzip(code, tmp);
            Files.writeString(tmp.resolve(COMPLETE_MARKER), code.toAbsolutePath().toString());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                // Another JVM unpacked the same version first. Linux reports the rename onto its non-empty folder as
                // a plain FileSystemException ("Directory not empty"), not always as one of its subclasses.
                deleteTree(tmp);
                if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
                    throw new IOException("Could not unpack " + code + " into " + target, e);
                }
            }
            pruneOldVersions(logicalId, target, cacheDir);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot unpack " + code, e);
        }
    }

    /** Drops unpacked versions of this function older than a day (a running process may still use a recent one). */
    private static void pruneOldVersions(String logicalId, Path current, Path cacheDir) {
        long cutoff = System.currentTimeMillis() - 24L * 3600 * 1000;
        try (Stream<Path> dirs = Files.list(cacheDir)) {
            dirs.filter(d -> !d.equals(current) && d.getFileName().toString().startsWith(logicalId + "-"))
                    .filter(d -> {
                        try {
                            return Files.getLastModifiedTime(d).toMillis() < cutoff;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .forEach(CodePackages::deleteTree);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void unzip(Path zip, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("Zip entry outside the target folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    copy(in, target);
                }
            }
        }
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
