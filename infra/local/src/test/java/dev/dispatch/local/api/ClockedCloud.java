package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One local cloud for the end-to-end tests that move enqueue-campaign's clock (A/B test waits, send-time waves), so
 * they start it once: the packaged functions under the test profile, enqueue-campaign reading its clock offset from a
 * file (ENQUEUE_CLOCK_OFFSET_FILE) and looking at A/B waits and the next wave every second. Started on first use and
 * closed when the JVM exits (LocalCloud's own hook). The clock only moves forward, and every offset is kept with the
 * real time it was set at, so a message's receipt time tells the clock that was in force (tests that share the cloud
 * tell their messages apart by a run id in the addresses).
 */
final class ClockedCloud {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final NavigableMap<Instant, Duration> OFFSETS = new ConcurrentSkipListMap<>(Map.of(Instant.EPOCH, Duration.ZERO));
    private static LocalCloud cloud;
    private static Path clockFile;
    private static Duration offset = Duration.ZERO;

    private ClockedCloud() {}

    static synchronized LocalCloud cloud() throws Exception {
        if (cloud == null) {
            clockFile = Files.createTempFile("enqueue-clock", ".txt");
            clockFile.toFile().deleteOnExit();
            LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                    .sqsVisibilityTimeoutSeconds(1)
                    .environment("QUARKUS_PROFILE", "test")
                    .environment("ENQUEUE_CLOCK_OFFSET_FILE", clockFile.toString())
                    // A/B waits and the next wave are looked at every second, not every 15 minutes
                    .environment("DISPATCH_ENQUEUE_AB_TEST_CHECK_INTERVAL", "PT1S")
                    .workDir(ProjectLayout.root().resolve("infra/local/target/local-cloud-clocked-pid-"
                            + ProcessHandle.current().pid()));
            cloud = LocalCloud.start(options);
            // The api's first (cold) start on a busy machine can outlast the gateway's timeout (503): wait until it answers.
            Instant limit = Instant.now().plusSeconds(180);
            int status = 503;
            while (status == 503 && Instant.now().isBefore(limit)) {
                status = call("GET", "/campaigns/cmp_warmup", null).statusCode();
            }
            assertEquals(404, status, "the api answers");
        }
        return cloud;
    }

    /** enqueue-campaign's "now". */
    static synchronized Instant enqueueNow() {
        return Instant.now().plus(offset);
    }

    /** Moves enqueue-campaign's clock forward by {@code by}. */
    static synchronized void advance(Duration by) throws Exception {
        set(offset.plus(by));
    }

    /** Moves enqueue-campaign's clock forward to {@code target} (never back). */
    static synchronized void moveTo(Instant target) throws Exception {
        // a second between any receipt and a move, so a receipt's whole second tells which offset was in force
        Thread.sleep(1100);
        Duration next = Duration.between(Instant.now(), target);
        assertTrue(next.compareTo(offset) >= 0, "the clock only moves forward");
        set(next);
    }

    private static void set(Duration next) throws Exception {
        offset = next;
        Files.writeString(clockFile, offset.toString(), StandardCharsets.UTF_8);
        OFFSETS.put(Instant.now(), offset);
    }

    /**
     * The time on enqueue-campaign's clock of a local SES receipt (whole seconds, rounded down): the receipt plus the
     * offset in force by the end of that second.
     */
    static Instant onEnqueueClock(Instant receipt) {
        return receipt.plus(OFFSETS.floorEntry(receipt.plusSeconds(1)).getValue());
    }

    static HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(35))
                .header("Authorization", "Bearer " + cloud.devApiKey())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", path.endsWith("bulk-import") ? "text/csv" : "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The local SES's store of sent messages (every test's: filter by the run's addresses). */
    static HttpResponse<String> sesStore() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(cloud.localAws().sesEndpoint().resolve("/store")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
