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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Provider selection through the real functions on a local cloud of its own: SES (aws-ses-v2-local) and Postmark (a
 * stand-in) have credentials, SendGrid has none (so it is no candidate), and the shipped delivery-rules.yaml applies
 * (gmail.com: sendgrid, then ses; weights ses 50, sendgrid 30, postmark 20; breaker: 3 calls, 50 % failures, 30 s).
 * Checked on what each provider received, the send ledger's per-recipient provider and reason, the campaign stats and
 * GET /system/providers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProviderSelectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static PostmarkStub postmark;
    private static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        postmark = new PostmarkStub(5, 1_000_000);
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .sqsVisibilityTimeoutSeconds(1)
                .secret("PostmarkServerTokenSecret", "{\"serverToken\": \"test-server-token-not-a-secret\"}")
                .parameter("PostmarkApiUrl", postmark.url().toString())
                // small batches: a campaign is many send-batch invocations, so the breaker has calls to count
                .environment("DISPATCH_ENQUEUE_BATCH_SIZE", "10")
                // one SQS message (10 recipients) per send-batch invocation: an invocation that saw Postmark fail
                // avoids it for the rest of its messages, so with the template's 10 messages per invocation a 200-
                // recipient campaign could be just two invocations, two failed calls, and the breaker never opened
                .sqsBatchSize("SendBatchFunction", 1)
                // send-batch re-reads the shared health and overrides this often (2 s in the template's default)
                .environment("DISPATCH_ROUTING_REFRESH", "PT0.2S")
                .workDir(ProjectLayout.root().resolve("infra/local/target/local-cloud-selection-pid-"
                        + ProcessHandle.current().pid()));
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

    @Test
    @Order(1)
    void givenNoPinnedProviders_whenSent_thenGmailGoesByItsRuleTheRestByWeightAndStatsAndLedgerSayWhy() throws Exception {
        String run = run();
        List<String> gmail = addresses("g", run, "gmail.com", 30);
        List<String> others = addresses("o", run, "example.com", 120);
        List<String> audience = new ArrayList<>(gmail);
        audience.addAll(others);
        String id = sendCampaign(run, audience, null);

        Map<String, Route> ledger = ledger(id);
        assertEquals(audience.size(), ledger.size());
        for (String a : gmail) {
            assertEquals(new Route("SENT", "ses", "rule:gmail.com"), ledger.get(a), a); // sendgrid has no credential
        }
        Map<String, Integer> byProvider = new TreeMap<>();
        for (String a : others) {
            Route r = ledger.get(a);
            assertEquals("SENT", r.fate(), a);
            assertEquals("weight", r.reason(), a);
            byProvider.merge(r.provider(), 1, Integer::sum);
        }
        // ses 50 : postmark 20 among the two candidates: about 71 % ses.
        double sesShare = byProvider.getOrDefault("ses", 0) / (double) others.size();
        assertTrue(sesShare > 0.5 && sesShare < 0.9, byProvider.toString());
        assertEquals(others.size(), byProvider.get("ses") + byProvider.get("postmark"), byProvider.toString());
        assertExactlyOnce(audience);

        JsonNode stats = json(call("GET", "/campaigns/" + id + "/stats", null));
        assertEquals(gmail.size() + byProvider.get("ses"), stats.path("providers").path("ses").path("sent").asInt(), stats.toString());
        assertEquals(byProvider.get("postmark"), stats.path("providers").path("postmark").path("sent").asInt(), stats.toString());
        assertEquals(gmail.size(), stats.path("routes").path("rule:gmail.com").asInt(), stats.toString());
        assertEquals(others.size(), stats.path("routes").path("weight").asInt(), stats.toString());
        assertTrue(stats.path("counts").path("provider.ses.sent").isMissingNode(), "the split is not repeated in counts");
    }

    @Test
    @Order(2)
    void givenPostmarkDisabledThroughTheApi_whenTheNextCampaignIsSent_thenItAvoidsPostmarkAndTheChangeIsAudited() throws Exception {
        HttpResponse<String> put = call("PUT", "/system/providers/postmark", "{\"enabled\": false}");
        assertEquals(200, put.statusCode(), put.body());
        String keyId = "key-" + LocalCloud.sha256Hex(cloud.devApiKey()).substring(0, 12);
        assertEquals(keyId, json(put).path("override").path("by").asText(), put.body());
        assertEquals(false, json(put).path("enabled").asBoolean(true));
        Thread.sleep(500); // longer than send-batch's routing refresh

        String run = run();
        List<String> audience = addresses("d", run, "example.com", 60);
        long postmarkCalls = postmark.calls();
        String id = sendCampaign(run, audience, null);
        ledger(id).forEach((a, r) -> assertEquals(new Route("SENT", "ses", "weight"), r, a));
        assertEquals(postmarkCalls, postmark.calls(), "no call reached Postmark");
        assertExactlyOnce(audience);

        JsonNode providers = json(call("GET", "/system/providers", null));
        JsonNode pm = provider(providers, "postmark");
        assertEquals(false, pm.path("enabled").asBoolean(true), pm.toString());
        assertEquals(true, pm.path("configured").path("enabled").asBoolean(false), pm.toString());
        assertEquals(20, pm.path("configured").path("weight").asInt(), pm.toString());
        assertEquals(50, pm.path("configured").path("ratePerSecond").asInt(), pm.toString());
        JsonNode change = providers.path("changes").get(0);
        assertEquals("postmark", change.path("provider").asText(), providers.toString());
        assertEquals(keyId, change.path("by").asText());
        assertTrue(change.path("at").isTextual() || change.path("at").isNumber(), change.toString());

        HttpResponse<String> cleared = call("DELETE", "/system/providers/postmark/override", null);
        assertEquals(200, cleared.statusCode(), cleared.body());
        assertEquals(true, json(cleared).path("enabled").asBoolean(false), cleared.body());
        assertTrue(json(cleared).path("override").isNull(), cleared.body());
        JsonNode removal = json(call("GET", "/system/providers", null)).path("changes").get(0);
        assertEquals(true, removal.path("cleared").asBoolean(false), removal.toString());
        assertEquals(keyId, removal.path("by").asText(), removal.toString());
        assertEquals(404, call("DELETE", "/system/providers/pigeon/override", null).statusCode());
        Thread.sleep(500);
    }

    @Test
    @Order(3)
    void givenPostmarkAnswering500_whenSent_thenTheBreakerOpensTrafficMovesToSesAndNobodyIsSentTwiceOrLost() throws Exception {
        // The earlier campaigns' successful Postmark calls must leave the breaker's 60 s window first, or they would
        // outweigh this test's failures.
        awaitNoCallsInWindow("postmark");
        postmark.faults(1.0, 0.0);
        try {
            String run = run();
            List<String> audience = addresses("f", run, "example.com", 200);
            JsonNode reportBefore = providerReport("postmark");
            long callsBefore = postmark.calls();
            String id = sendCampaign(run, audience, null);

            Map<String, Route> ledger = ledger(id);
            assertEquals(audience.size(), ledger.size());
            Map<String, Integer> reasons = new TreeMap<>();
            ledger.forEach((a, r) -> {
                assertEquals("SENT", r.fate(), a + " " + r);
                assertEquals("ses", r.provider(), a + " " + r);
                reasons.merge(r.reason(), 1, Integer::sum);
            });
            // Some recipients were failed over from Postmark before the breaker opened; after it opened Postmark
            // was no candidate, so the rest went by weight to SES without a failed call first.
            assertTrue(reasons.getOrDefault("failover:postmark", 0) > 0, reasons.toString());
            // Two failed calls can be enough: a send-batch instance holds its recent successful calls back until
            // its next write (the first failure), so 2 failures + 1 earlier success are 3 calls, 67 % failed.
            long failedCalls = postmark.calls() - callsBefore;
            assertTrue(failedCalls >= 2 && failedCalls <= 8, "calls to the failing Postmark: " + failedCalls + " " + reasons);
            assertTrue(reasons.getOrDefault("failover:postmark", 0) < audience.size() * 0.2,
                    "about 29 % would have gone to Postmark without the breaker: " + reasons);
            assertExactlyOnce(audience);

            JsonNode pm = provider(json(call("GET", "/system/providers", null)), "postmark");
            assertTrue(List.of("open", "half-open").contains(pm.path("circuit").path("state").asText()), pm.toString());
            assertTrue(pm.path("circuit").path("opens").asInt() >= 1, pm.toString());
            assertTrue(pm.path("circuit").path("windowFailures").asInt() >= 2, pm.toString());
            assertEquals(reasons.get("failover:postmark"), pm.path("failovers").path("total").asInt(), pm.toString());
            JsonNode stats = json(call("GET", "/campaigns/" + id + "/stats", null));
            assertEquals(reasons.get("failover:postmark"), stats.path("routes").path("failover:postmark").asInt(), stats.toString());

            // The provider comparison report (report function) counts them too, from the daily statistics send-batch
            // folds each batch's calls and failovers into; the failed calls have a latency like any other.
            JsonNode reportAfter = providerReport("postmark");
            assertEquals(reasons.get("failover:postmark").longValue(),
                    reportAfter.path("failovers").asLong() - reportBefore.path("failovers").asLong(), reportAfter.toString());
            JsonNode days = reportAfter.path("failoversByDay");
            assertTrue(days.get(days.size() - 1).path("failovers").asLong() >= reasons.get("failover:postmark"), days.toString());
            JsonNode latency = reportAfter.path("latency");
            assertTrue(latency.path("calls").asLong() - reportBefore.path("latency").path("calls").asLong() >= failedCalls,
                    "every failed Postmark call measured: " + latency + " before " + reportBefore.path("latency"));
            assertTrue(latency.path("p95Ms").isNumber() && latency.path("meanMs").isNumber(), latency.toString());
        } finally {
            postmark.faults(0, 0);
        }
    }

    @Test
    @Order(4)
    void aBadOverrideIsRefusedNamingTheFieldAndChangesNothing() throws Exception {
        assertBadField("{\"weight\": -1}", "weight");
        assertBadField("{\"weight\": 1.5}", "weight");
        assertBadField("{\"enabled\": \"no\"}", "enabled");
        assertBadField("{\"enabeld\": false}", "enabeld");
        assertBadField("{}", "body");
        assertBadField("[true]", "body");
        assertEquals(404, call("PUT", "/system/providers/pigeon", "{\"enabled\": true}").statusCode());
        HttpResponse<String> noKey = HTTP.send(HttpRequest.newBuilder(cloud.apiUrl("/system/providers")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noKey.statusCode());
        JsonNode ses = provider(json(call("GET", "/system/providers", null)), "ses");
        assertEquals(true, ses.path("enabled").asBoolean(false));
        assertEquals(50, ses.path("weight").asInt());
    }

    /** The provider's row of today's provider comparison report (zeros if it sent nothing in the period). */
    private static JsonNode providerReport(String name) throws Exception {
        HttpResponse<String> r = call("GET", "/reports/providers", null);
        assertEquals(200, r.statusCode(), r.body());
        for (JsonNode p : json(r).path("providers")) {
            if (p.path("provider").asText().equals(name)) {
                return p;
            }
        }
        return JSON.createObjectNode();
    }

    private static void awaitNoCallsInWindow(String provider) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (provider(json(call("GET", "/system/providers", null)), provider).path("circuit").path("windowCalls").asInt() == 0) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(provider + "'s breaker window did not empty");
    }

    private static void assertBadField(String body, String field) throws Exception {
        HttpResponse<String> r = call("PUT", "/system/providers/ses", body);
        assertEquals(400, r.statusCode(), body + " -> " + r.body());
        assertEquals(field, json(r).path("field").asText(), r.body());
    }

    // ------------------------------------------------------------------ helpers

    record Route(String fate, String provider, String reason) {}

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<String> addresses(String prefix, String run, String domain, int n) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(String.format("%s%03d-%s@%s", prefix, i, run, domain));
        }
        return list;
    }

    private static String sendCampaign(String run, List<String> audience, String providers) throws Exception {
        String segment = "sel-" + run;
        StringBuilder csv = new StringBuilder("email,segments\n");
        audience.forEach(a -> csv.append(a).append(',').append(segment).append('\n'));
        HttpResponse<String> imported = send("POST", "/subscribers/bulk-import", "text/csv", csv.toString());
        assertEquals(200, imported.statusCode(), imported.body());
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Selection\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">x</a>\",\"segments\":[\"" + segment + "\"]"
                + (providers == null ? "" : ",\"providers\":" + providers) + "}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());
        JsonNode campaign = null;
        for (int i = 0; i < 240; i++) {
            campaign = json(call("GET", "/campaigns/" + id, null));
            if ("sent".equals(campaign.get("status").asText())) {
                return id;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("campaign not sent in time: " + campaign);
    }

    /** Each recipient's fate, provider and route reason, read from the send ledger's items. */
    private static Map<String, Route> ledger(String campaignId) {
        String table = cloud.localAws().resources().tableName("SendLedgerTable");
        Map<String, Route> routes = new HashMap<>();
        for (Map<String, AttributeValue> item : cloud.localAws().dynamoDb().queryPaginator(q -> q.tableName(table)
                .keyConditionExpression("campaignId = :c").expressionAttributeValues(Map.of(":c", AttributeValue.fromS(campaignId))))
                .items()) {
            item.get("results").m().forEach((email, v) -> {
                Map<String, AttributeValue> r = v.m();
                routes.put(email, new Route(r.get("f").s(), r.containsKey("p") ? r.get("p").s() : null,
                        r.containsKey("r") ? r.get("r").s() : null));
            });
        }
        return routes;
    }

    /** Every address received exactly one message, from SES or Postmark. */
    private static void assertExactlyOnce(List<String> audience) throws Exception {
        HttpResponse<String> store = HTTP.send(HttpRequest.newBuilder(cloud.localAws().sesEndpoint().resolve("/store")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Integer> received = new HashMap<>();
        for (JsonNode email : JSON.readTree(store.body()).get("emails")) {
            for (JsonNode to : email.path("destination").path("to")) {
                received.merge(to.asText().replaceAll(".*<([^>]+)>.*", "$1"), 1, Integer::sum);
            }
        }
        Map<Integer, Integer> timesReceived = new TreeMap<>();
        for (String a : audience) {
            timesReceived.merge(received.getOrDefault(a, 0) + postmark.acceptedCount(a), 1, Integer::sum);
        }
        assertEquals(Map.of(1, audience.size()), timesReceived, "recipients by times received");
    }

    private static JsonNode provider(JsonNode view, String name) {
        for (JsonNode p : view.path("providers")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no provider " + name + " in " + view);
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return send(method, path, "application/json", body);
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(35))
                .header("Authorization", "Bearer " + cloud.devApiKey()).header("Content-Type", contentType)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
