package dev.dispatch.local.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Small file helpers of the benchmarks. */
final class CampaignBenchmarkFiles {
    private CampaignBenchmarkFiles() {}

    /** Deletes {@code dir} with its content, then creates it empty. */
    static void reset(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }
}
