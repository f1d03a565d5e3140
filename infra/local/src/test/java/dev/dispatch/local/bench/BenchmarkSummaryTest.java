package dev.dispatch.local.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkSummaryTest {

    @Test
    void summaryListsEveryFigureWithItsGoalAndSaysWhichBenchmarksDidNotRun(@TempDir Path target) throws Exception {
        // Written into the temporary folder: a test must never touch the real results in target/.
        new BenchmarkFigures()
                .add("peak RSS, api", 180, "MiB", "<= 256 MiB", true, "load: import")
                .add("cold start, api", 2400, "ms", "<= 1.2 x bare REST (1000 ms)", false, "2.40 x the floor")
                .info("cold start, bare REST (floor)", 1000, "ms", "")
                .write(target, "coldstart");
        Files.writeString(target.resolve("benchmark-coldstart.command"), "infra/bin/benchmark coldstart --rounds 1\n");

        String md = BenchmarkSummary.summary(target);

        assertTrue(md.contains("| peak RSS, api | 180 MiB | <= 256 MiB | met | load: import |"), md);
        assertTrue(md.contains("| cold start, api | 2,400 ms | <= 1.2 x bare REST (1000 ms) | **not met** |"), md);
        assertTrue(md.contains("| cold start, bare REST (floor) | 1,000 ms |  |  |  |"), md);
        assertTrue(md.contains("Command: `infra/bin/benchmark coldstart --rounds 1`"), md);
        for (String missing : new String[] {"import", "campaign", "webhooks", "pacing"}) {
            assertTrue(md.contains("### " + missing + "\n\nNot run"), missing + " should be listed as not run:\n" + md);
        }
    }

    @Test
    void theReadmeSectionBetweenTheMarkersIsReplacedAndNothingElse() {
        String readme = "# T\nbefore\n" + BenchmarkSummary.START + "\nold figures\n" + BenchmarkSummary.END + "\nafter\n";
        String updated = BenchmarkSummary.replaceSection(readme, "new figures\n");
        assertEquals("# T\nbefore\n" + BenchmarkSummary.START + "\nnew figures\n" + BenchmarkSummary.END + "\nafter\n", updated);
        assertThrows(IllegalStateException.class, () -> BenchmarkSummary.replaceSection("# no markers\n", "x"));
    }
}
