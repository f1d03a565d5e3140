package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import dev.dispatch.local.LocalFunction;
import dev.dispatch.local.bench.PostmarkStub;
import dev.dispatch.emulators.ProjectLayout;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * send-batch near its Lambda timeout, on a local cloud of its own: the function may run 10 s, keeps 2 s to record
 * outcomes and starts a provider call only with 5.5 s left; Postmark (a stand-in) takes 3 s a call. So an invocation
 * has time for one call of 500 recipients, while the two batches of 1,000 (the enqueuer cuts at its 1,000-address
 * pages) need two calls each: more than one invocation can do, and both batches arrive in one SQS event. Each
 * invocation must stop in time, record what it sent, hand the rest back to the queue, and report the records it had
 * no time to start as batch item failures. Two batches, so that no record is received more than four times (the
 * queue's maxReceiveCount is 5).
 */
class SendBatchTimeBudgetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int RECIPIENTS = 2000;
    private static PostmarkStub postmark;
    private static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        postmark = new PostmarkStub(3000, 1_000_000);
        Path work = ProjectLayout.root().resolve("infra/local/target/local-cloud-time-budget-pid-" + ProcessHandle.current().pid());
        Path config = work.resolve("config");
        Files.createDirectories(config);
        // Rates far above what the test sends: only the time budget may cut a batch short here, not pacing.
        Files.writeString(config.resolve("providers.yaml"), """
                providers:
                  ses:
                    ratePerSecond: 100000
                    dailyQuota: 10000000
                    batchSize: 50
                  sendgrid:
                    ratePerSecond: 100000
                    dailyQuota: 10000000
                    batchSize: 1000
                  postmark:
                    ratePerSecond: 100000
                    dailyQuota: 10000000
                    batchSize: 500
                """);
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                // Longer than the function's timeout, as in the template (6 x): a batch is not delivered again while
                // an invocation still works on it. A record handed back waits this long before its next delivery.
                .sqsVisibilityTimeoutSeconds(12)
                .timeout("SendBatchFunction", Duration.ofSeconds(10))
                .secret("PostmarkServerTokenSecret", "{\"serverToken\": \"test-server-token-not-a-secret\"}")
                .parameter("PostmarkApiUrl", postmark.url().toString())
                .environment("DISPATCH_CONFIG_DIR", config.toString())
                .environment("DISPATCH_SEND_RESERVE", "PT2S")
                .environment("DISPATCH_SEND_MINIMUM_CALL", "PT5.5S")
                .environment("DISPATCH_ENQUEUE_BATCH_SIZE", "1100")
                // its own folders: the shared test cloud of LocalCloudExtension may run beside it
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

    private static HttpResponse<String> call(String method, String path, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(35))
                .header("Authorization", "Bearer " + cloud.devApiKey()).header("Content-Type", contentType)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void givenBatchesLongerThanAnInvocation_whenSent_thenEachInvocationStopsInTimeAndEveryRecipientGetsExactlyOne()
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String segment = "budget-" + run;
        StringBuilder csv = new StringBuilder("email,segments\n");
        List<String> audience = new ArrayList<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            String email = String.format("r%04d-%s@example.com", i, run);
            audience.add(email);
            csv.append(email).append(',').append(segment).append('\n');
        }
        HttpResponse<String> imported = call("POST", "/subscribers/bulk-import", "text/csv", csv.toString());
        assertEquals(200, imported.statusCode(), imported.body());

        HttpResponse<String> created = call("POST", "/campaigns", "application/json", "{\"name\":\"Budget\","
                + "\"fromEmail\":\"news@example.com\",\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">x</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"postmark\"]}");
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", "application/json", null).statusCode());

        JsonNode campaign = null;
        for (int i = 0; i < 360; i++) {
            campaign = JSON.readTree(call("GET", "/campaigns/" + id, "application/json", null).body());
            if ("sent".equals(campaign.get("status").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("sent", campaign.get("status").asText(), campaign.toString());

        // Exactly once, nobody lost: every recipient accepted once by the provider and recorded as sent.
        Map<Integer, Integer> timesAccepted = new TreeMap<>();
        audience.forEach(a -> timesAccepted.merge(postmark.acceptedCount(a), 1, Integer::sum));
        assertEquals(Map.of(1, RECIPIENTS), timesAccepted, "recipients by times accepted");
        JsonNode counts = JSON.readTree(call("GET", "/campaigns/" + id + "/stats", "application/json", null).body()).get("counts");
        assertEquals(RECIPIENTS, counts.path("sent").asInt(), counts.toString());
        assertEquals(0, counts.path("unknown").asInt(), "no call was cut off without its answer: " + counts);
        assertEquals(0, postmark.interruptedCalls());

        // It took several invocations, and none of them was cut off by the timeout.
        LocalFunction.Stats sendBatch = cloud.function("SendBatchFunction").stats();
        assertEquals(0, sendBatch.timeouts(), sendBatch.toString());
        assertTrue(sendBatch.invocations() >= 3, sendBatch.toString());
        String log = Files.readString(cloud.function("SendBatchFunction").logFile());
        assertTrue(log.contains(": RETRY_LATER"), "a batch was handed back part-done");
    }
}
