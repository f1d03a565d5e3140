package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import dev.dispatch.local.bench.PostmarkStub;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pacing across Lambdas, through the packaged functions on a local cloud of its own: three send-batch processes
 * (concurrent consumers of SendQueue) share Postmark limited to 20 messages a second and SES limited to a daily
 * quota of 30 (a providers.yaml of the test's, through DISPATCH_CONFIG_DIR). Checked where it matters - at the
 * providers' stand-ins: no second above the rate, every recipient exactly once, throttling answers lowering the
 * rate, and recipients over the day's quota deferred (queued again, no result), not dropped.
 */
class SendPacingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int RATE = 20;
    private static final int SES_QUOTA = 30;
    private static PostmarkStub postmark;
    private static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        postmark = new PostmarkStub(20, 1_000_000);
        Path work = ProjectLayout.root().resolve("infra/local/target/local-cloud-pacing-pid-" + ProcessHandle.current().pid());
        Path config = work.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("providers.yaml"), """
                providers:
                  ses:
                    ratePerSecond: 50
                    dailyQuota: %d
                    batchSize: 50
                  sendgrid:
                    ratePerSecond: 100
                    dailyQuota: 100000
                    batchSize: 1000
                  postmark:
                    ratePerSecond: %d
                    dailyQuota: 100000
                    batchSize: 500
                """.formatted(SES_QUOTA, RATE));
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .concurrency("SendBatchFunction", 3)
                // above the function's 120 s timeout, as the template's 720 s: a batch still being paced is not
                // delivered to a second consumer
                .sqsVisibilityTimeoutSeconds(130)
                .secret("PostmarkServerTokenSecret", "{\"serverToken\": \"test-server-token-not-a-secret\"}")
                .parameter("PostmarkApiUrl", postmark.url().toString())
                .environment("DISPATCH_CONFIG_DIR", config.toString())
                .environment("DISPATCH_ENQUEUE_BATCH_SIZE", "10") // many batches, so every consumer gets some
                .workDir(work);
        cloud = LocalCloud.start(options);
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
        if (postmark != null) {
            postmark.close();
        }
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(35))
                .header("Authorization", "Bearer " + cloud.devApiKey()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> audience(String segment, int count) throws Exception {
        StringBuilder csv = new StringBuilder("email,segments\n");
        List<String> audience = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String email = String.format("r%04d-%s@example.com", i, segment);
            audience.add(email);
            csv.append(email).append(',').append(segment).append('\n');
        }
        HttpResponse<String> imported = HTTP.send(HttpRequest.newBuilder(cloud.apiUrl("/subscribers/bulk-import"))
                .header("Authorization", "Bearer " + cloud.devApiKey()).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, imported.statusCode(), imported.body());
        return audience;
    }

    private static String send(String segment, String provider) throws Exception {
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Paced\","
                + "\"fromEmail\":\"news@example.com\",\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">x</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"" + provider + "\"]}");
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());
        return id;
    }

    private static JsonNode status() throws Exception {
        HttpResponse<String> response = call("GET", "/system/status", null);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void givenThreeConsumersAndOneProviderLimitedTo20PerSecond_thenNoSecondGoesAboveItEveryoneGetsOneAnd429sLowerTheRate()
            throws Exception {
        // Warm-up (not measured): the processes' first provider calls are slow (class loading, JIT), and a call that
        // takes longer than the last 50 ms of its second to reach the provider lands in the next second's window.
        String warm = "warm-" + UUID.randomUUID().toString().substring(0, 8);
        audience(warm, 300); // 30 batches: every consumer process gets some
        String warmId = send(warm, "postmark");
        for (int i = 0; i < 240 && !"sent".equals(JSON.readTree(call("GET", "/campaigns/" + warmId, null).body()).get("status").asText()); i++) {
            Thread.sleep(500);
        }
        Map<Long, Long> warmSeconds = postmark.acceptedPerSecond();

        String segment = "pace-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> audience = audience(segment, 400);
        postmark.faults(0, 0.15); // some calls answered 429: throttling, which must lower the shared rate
        String id = send(segment, "postmark");

        JsonNode campaign = null;
        double lowestRate = RATE;
        AtomicReference<String> lastCut = new AtomicReference<>();
        for (int i = 0; i < 240; i++) {
            campaign = JSON.readTree(call("GET", "/campaigns/" + id, null).body());
            JsonNode pacing = status().path("providers").path("postmark").path("pacing");
            lowestRate = Math.min(lowestRate, pacing.path("currentRatePerSecond").asDouble());
            if (pacing.hasNonNull("lastThrottledAt")) {
                lastCut.set(pacing.path("lastThrottledAt").asText());
            }
            if ("sent".equals(campaign.get("status").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        postmark.faults(0, 0);
        assertEquals("sent", campaign.get("status").asText(), campaign.toString());

        Map<Integer, Integer> timesAccepted = new TreeMap<>();
        audience.forEach(a -> timesAccepted.merge(postmark.acceptedCount(a), 1, Integer::sum));
        assertEquals(Map.of(1, audience.size()), timesAccepted, "recipients by times accepted");
        Map<Long, Long> perSecond = new TreeMap<>();
        postmark.acceptedPerSecond().forEach((second, n) -> {
            long main = n - warmSeconds.getOrDefault(second, 0L);
            if (main > 0) {
                perSecond.put(second, main);
            }
        });
        assertTrue(perSecond.values().stream().allMatch(n -> n <= RATE), "accepted per second at the provider: " + perSecond);
        assertTrue(perSecond.size() >= audience.size() / RATE, "400 at 20/s take at least 20 seconds: " + perSecond);
        assertTrue(lastCut.get() != null, "a 429 cut the rate (lastThrottledAt)");
        assertTrue(lowestRate < RATE, "the shared rate came down after 429s: lowest seen " + lowestRate);
        String log = Files.readString(cloud.function("SendBatchFunction").logFile());
        assertTrue(cloud.function("SendBatchFunction").stats().invocations() >= 3, "several invocations shared the work");
        assertTrue(log.contains(": DONE"), log.length() > 2000 ? log.substring(log.length() - 2000) : log);
    }

    @Test
    void givenADailyQuotaSmallerThanTheAudience_thenTheRestIsDeferredNotDroppedAndNobodyGetsTwo() throws Exception {
        String segment = "quota-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> audience = audience(segment, 60);
        String id = send(segment, "ses");

        JsonNode ses = null;
        Map<String, List<JsonNode>> received = Map.of();
        for (int i = 0; i < 120; i++) {
            ses = status().path("providers").path("ses").path("pacing");
            received = sesMessagesTo(segment);
            if (ses.path("usedToday").asLong() >= SES_QUOTA && received.size() >= SES_QUOTA) {
                break;
            }
            Thread.sleep(500);
        }
        Thread.sleep(3000); // any batch still in hand has had time to be deferred
        received = sesMessagesTo(segment);
        ses = status().path("providers").path("ses").path("pacing");
        assertEquals(SES_QUOTA, ses.path("usedToday").asLong(), ses.toString());
        assertEquals(0, ses.path("leftToday").asLong(), ses.toString());
        assertEquals(SES_QUOTA, received.size(), "the day's quota went out, no more");
        assertTrue(received.values().stream().allMatch(m -> m.size() == 1), "nobody got two");

        JsonNode campaign = JSON.readTree(call("GET", "/campaigns/" + id, null).body());
        assertEquals("sending", campaign.get("status").asText(), "deferred, not finished: " + campaign);
        JsonNode counts = JSON.readTree(call("GET", "/campaigns/" + id + "/stats", null).body()).get("counts");
        assertEquals(0, counts.path("unknown").asInt() + counts.path("rejected").asInt() + counts.path("skipped").asInt(),
                "nobody was given up on: " + counts);
        JsonNode sendQueue = null;
        JsonNode sending = null;
        for (JsonNode q : status().get("queues")) {
            if (q.get("name").asText().equals("send")) {
                sendQueue = q;
            }
        }
        sending = status().get("campaignsSending");
        assertTrue(sendQueue.get("delayed").asLong() + sendQueue.get("waiting").asLong() + sendQueue.get("inFlight").asLong() >= 1,
                "the deferred batches wait on the queue for the quota: " + sendQueue);
        boolean listed = false;
        for (JsonNode c : sending) {
            listed |= c.get("id").asText().equals(id);
        }
        assertTrue(listed, "the campaign is listed as sending: " + sending);
        Map<String, List<JsonNode>> finalReceived = sesMessagesTo(segment);
        assertEquals(audience.size() - SES_QUOTA, audience.stream().filter(a -> !finalReceived.containsKey(a)).count(),
                "the rest is still unsent");
    }

    /** The mail this cloud's aws-ses-v2-local received for addresses containing {@code marker}, by recipient. */
    private static Map<String, List<JsonNode>> sesMessagesTo(String marker) throws Exception {
        HttpResponse<String> store = HTTP.send(HttpRequest.newBuilder(cloud.localAws().sesEndpoint().resolve("/store"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        Map<String, List<JsonNode>> byRecipient = new java.util.HashMap<>();
        for (JsonNode email : JSON.readTree(store.body()).get("emails")) {
            for (JsonNode to : email.path("destination").path("to")) {
                String address = to.asText().replaceAll(".*<([^>]+)>.*", "$1");
                if (address.contains(marker)) {
                    byRecipient.computeIfAbsent(address, a -> new ArrayList<>()).add(email);
                }
            }
        }
        return byRecipient;
    }
}
