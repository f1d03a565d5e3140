package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.TemplateResources;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The functions' CloudWatch metrics end to end: a small campaign through SES and one signed webhook go through the
 * packaged functions on the local cloud, and the Embedded Metric Format documents the functions wrote to their output
 * (what Lambda sends to CloudWatch Logs) carry the expected numbers: sent per provider (send-batch), events accepted
 * (process-webhook), events applied, bounces, complaints and the queue lag (apply-engagement). No address appears
 * in any of them.
 */
@ExtendWith(LocalCloudExtension.class)
class CloudWatchMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EFFECTS = Duration.ofSeconds(90);
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void givenACampaignAndAWebhook_thenTheFunctionsEmitTheirCountsAsEmbeddedMetrics(LocalCloud cloud) throws Exception {
        Path sendLog = cloud.function("SendBatchFunction").logFile();
        Path webhookLog = cloud.function("ProcessWebhookFunction").logFile();
        Path applyLog = cloud.function("ApplyEngagementFunction").logFile();
        awaitEngagementQueueEmpty(cloud); // what other tests queued is applied (and measured) before this one starts
        long sendFrom = Files.size(sendLog);
        long webhookFrom = Files.size(webhookLog);
        long applyFrom = Files.size(applyLog);

        // A campaign of three recipients through SES.
        String segment = "emf-" + run;
        for (String name : List.of("ada", "bob", "cyd")) {
            assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + address(name) + "\",\"segments\":[\"" + segment + "\"]}")
                    .statusCode());
        }
        String id = json(call("POST", "/campaigns", "{\"name\":\"Metrics\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"]}")).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());
        await("campaign " + id + " sent", () -> "sent".equals(json(call("GET", "/campaigns/" + id, null)).get("status").asText()));

        Predicate<JsonNode> thisCampaign = d -> id.equals(d.path("campaignId").asText());
        await("send-batch's documents count the campaign's 3 messages sent through ses",
                () -> sum(documents(sendLog, sendFrom), thisCampaign, "Sent", "ses") == 3);
        List<JsonNode> sendDocuments = documents(sendLog, sendFrom).stream().filter(thisCampaign).toList();
        assertEquals(0, sum(sendDocuments, d -> true, "Failed", "ses"));
        assertTrue(sendDocuments.stream().anyMatch(d -> d.path("BatchLatency").isNumber() && !d.has("Provider")),
                "the batch's latency, without a provider: " + sendDocuments);

        // One signed generic webhook with a delivery, a hard bounce and a complaint of three new addresses.
        String body = "[" + event("d", "delivered", address("dee")) + "," + event("b", "bounced", address("bea")) + ","
                + event("c", "complained", address("cal")) + "]";
        long t = LocalCloudExtension.WEBHOOK_VERIFY_AT.getEpochSecond();
        HttpResponse<String> accepted = LocalCloudExtension.send(LocalCloudExtension.request("/webhooks/generic")
                .header("Content-Type", "application/json").header("X-Dispatch-Signature", signature(t, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, accepted.statusCode(), accepted.body());

        await("process-webhook's documents count 3 generic events accepted",
                () -> sum(documents(webhookLog, webhookFrom), d -> true, "WebhookEventsAccepted", "generic") == 3);
        await("apply-engagement's documents count 3 generic events applied",
                () -> sum(documents(applyLog, applyFrom), d -> true, "EventsApplied", "generic") == 3);
        List<JsonNode> applied = documents(applyLog, applyFrom);
        assertEquals(1, sum(applied, d -> true, "Bounced", "generic"));
        assertEquals(1, sum(applied, d -> true, "Complained", "generic"));
        assertTrue(applied.stream().anyMatch(d -> d.path("QueueLag").isNumber() && d.get("QueueLag").asLong() >= 0
                && d.get("QueueLag").asLong() < EFFECTS.toMillis()), "the queue lag, in milliseconds: " + applied);

        // Every document is in the stack's namespace (METRICS_NAMESPACE from the template), and none carries an address.
        List<JsonNode> all = new ArrayList<>(documents(sendLog, sendFrom));
        all.addAll(documents(webhookLog, webhookFrom));
        all.addAll(applied);
        for (JsonNode d : all) {
            assertEquals("Dispatch/" + TemplateResources.STACK_NAME, d.get("_aws").get("CloudWatchMetrics").get(0).get("Namespace").asText(), d.toString());
            assertFalse(d.toString().contains("@"), "no address in a metric document: " + d);
        }
    }

    private String address(String name) {
        return "emf." + name + "-" + run + "@example.com";
    }

    /** One generic event, on a day of its own so that no other test's day counters move. */
    private String event(String id, String type, String email) {
        return "{\"id\":\"emf-" + run + "-" + id + "\",\"type\":\"" + type + "\",\"email\":\"" + email
                + "\",\"timestamp\":\"2026-10-07T10:00:00Z\"}";
    }

    private static String signature(long t, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(LocalCloudExtension.WEBHOOK_GENERIC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    /** The EMF documents a function wrote to its output from byte {@code from} on (one JSON object per line). */
    private static List<JsonNode> documents(Path log, long from) {
        List<JsonNode> documents = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(from);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.readFully(bytes);
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("{\"_aws\"")) {
                    documents.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return documents;
    }

    /** One metric of one provider, summed over the matching documents. */
    private static long sum(List<JsonNode> documents, Predicate<JsonNode> which, String metric, String provider) {
        return documents.stream().filter(which).filter(d -> provider.equals(d.path("Provider").asText()))
                .mapToLong(d -> d.path(metric).asLong(0)).sum();
    }

    private static void awaitEngagementQueueEmpty(LocalCloud cloud) throws InterruptedException {
        String url = cloud.localAws().resources().queueUrl("EngagementQueue");
        int empty = 0;
        Instant deadline = Instant.now().plus(EFFECTS);
        while (empty < 5) {
            int depth = cloud.localAws().sqs().getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes().values().stream().mapToInt(Integer::parseInt).sum();
            empty = depth == 0 ? empty + 1 : 0;
            if (Instant.now().isAfter(deadline)) {
                fail("EngagementQueue still holds " + depth + " messages");
            }
            Thread.sleep(400);
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(EFFECTS);
        while (!check.holds()) {
            if (Instant.now().isAfter(deadline)) {
                fail("not within " + EFFECTS.toSeconds() + " s: " + what);
            }
            Thread.sleep(500);
        }
    }
}
