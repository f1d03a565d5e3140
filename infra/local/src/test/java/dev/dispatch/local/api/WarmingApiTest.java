package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * IP warming through the real functions, on a local cloud of its own whose functions run two enabled plans (a
 * warming.yaml handed to them under the test profile; the shipped plans are disabled): warming-tick, fired by its
 * schedule, starts both plans and pauses one on a bounce spike written into the provider daily statistics;
 * GET /system/warming shows the decisions with their reasons and figures; an operator pauses and resumes the other
 * through the API, recorded with the key's id, and the tick never lifts that pause by itself.
 */
class WarmingApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        Path config = Files.createTempFile("warming-e2e", ".yaml");
        config.toFile().deleteOnExit();
        Files.writeString(config, """
                schedules:
                  product-default: { ramp: { from: 50, to: 3000, days: 30 } }
                plans:
                  sendgrid-e2e:
                    enabled: true
                    provider: sendgrid
                    ipPool: sendgrid-shared
                    schedule: product-default
                    sendingHours: { fromHour: 0, toHour: 24 }
                  postmark-e2e:
                    enabled: true
                    provider: postmark
                    ipPool: postmark-broadcast
                    schedule: product-default
                    sendingHours: { fromHour: 0, toHour: 24 }
                """, StandardCharsets.UTF_8);
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .sqsVisibilityTimeoutSeconds(1)
                // the test profile is the only one in which a function reads WARMING_CONFIG_FILE
                .environment("QUARKUS_PROFILE", "test")
                .environment("WARMING_CONFIG_FILE", config.toString())
                // its own folders: the shared test cloud of LocalCloudExtension may run beside it
                .workDir(ProjectLayout.root().resolve("infra/local/target/local-cloud-warming-pid-"
                        + ProcessHandle.current().pid()));
        cloud = LocalCloud.start(options);
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    private static HttpResponse<String> call(String method, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(35))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode plan(String name) throws Exception {
        HttpResponse<String> r = call("GET", "/system/warming", cloud.devApiKey());
        assertEquals(200, r.statusCode(), r.body());
        for (JsonNode p : JSON.readTree(r.body()).get("plans")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no plan " + name + " in " + r.body());
    }

    private static JsonNode tick() throws Exception {
        return JSON.readTree(cloud.fireSchedule("WarmingTickFunction"));
    }

    @Test
    void givenTwoPlans_whenTickedAndOverridden_thenDecisionsAndOverridesShowThroughTheApi() throws Exception {
        JsonNode first = tick();
        assertEquals("ticked", first.get("status").asText(), first.toString());
        assertEquals(2, first.get("plans").asInt());
        assertEquals(2, first.get("decisions").size(), first.toString());
        first.get("decisions").forEach(d -> assertEquals("started", d.get("action").asText(), d.toString()));
        assertEquals(0, tick().get("decisions").size(), "a second tick the same hour changes nothing");

        // A bounce spike on SendGrid today: 20 of 200 (10 %, over the 5 % pause level).
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        // Written where engagement tracking keeps the provider daily statistics (DynamoDbDeliveryStats' keys).
        cloud.localAws().dynamoDb().updateItem(b -> b.tableName(cloud.localAws().resources().tableName("CountersTable"))
                .key(Map.of("pk", AttributeValue.fromS("delivery-stats"), "sk", AttributeValue.fromS(today + "#sendgrid")))
                .updateExpression("ADD n_sent :sent, n_bounced :bounced")
                .expressionAttributeValues(Map.of(":sent", AttributeValue.fromN("200"), ":bounced", AttributeValue.fromN("20"))));
        JsonNode spike = tick();
        assertEquals(1, spike.get("decisions").size(), spike.toString());
        JsonNode paused = spike.get("decisions").get(0);
        assertEquals("sendgrid-e2e", paused.get("plan").asText());
        assertEquals("paused", paused.get("action").asText());
        assertEquals(0.1, paused.get("figures").get("bounceRate").asDouble(), 1e-9);

        JsonNode sendgrid = plan("sendgrid-e2e");
        assertEquals("paused", sendgrid.get("state").asText(), sendgrid.toString());
        assertEquals(0, sendgrid.get("allowanceNow").asLong(), "a paused plan releases nothing");
        JsonNode last = sendgrid.get("decisions").get(0);
        assertEquals("paused", last.get("action").asText(), "newest first");
        assertTrue(last.get("reason").asText().contains("bounce rate 10.000 % >= pause level 5.000 %"), last.toString());
        assertEquals(200, last.get("figures").get("sent").asInt());
        assertEquals("warming-tick", last.get("by").asText());
        assertEquals("started", sendgrid.get("decisions").get(1).get("action").asText());

        JsonNode postmark = plan("postmark-e2e");
        assertEquals("warming", postmark.get("state").asText(), postmark.toString());
        assertEquals(1, postmark.get("day").asInt());
        assertEquals(50, postmark.get("todayVolume").asLong());
        assertTrue(postmark.get("allowanceNow").asLong() <= 50);

        // An operator pauses postmark-e2e: recorded with the key's id and the time.
        Instant before = Instant.now().minusSeconds(1);
        HttpResponse<String> pause = call("POST", "/system/warming/postmark-e2e/pause", cloud.devApiKey());
        assertEquals(200, pause.statusCode(), pause.body());
        JsonNode pausedView = JSON.readTree(pause.body());
        assertEquals("operator-paused", pausedView.get("state").asText());
        JsonNode override = pausedView.get("decisions").get(0);
        assertEquals("operator-paused", override.get("action").asText());
        String keyId = "key-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(cloud.devApiKey().getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        assertEquals(keyId, override.get("by").asText());
        Instant at = Instant.parse(override.get("at").asText());
        assertTrue(!at.isBefore(before) && !at.isAfter(Instant.now().plusSeconds(1)), at.toString());

        // The tick never lifts an operator's pause, and an operator cannot lift warming-tick's own pause.
        assertEquals(0, tick().get("decisions").size());
        assertEquals("operator-paused", plan("postmark-e2e").get("state").asText());
        assertEquals(409, call("POST", "/system/warming/sendgrid-e2e/resume", cloud.devApiKey()).statusCode());

        HttpResponse<String> resume = call("POST", "/system/warming/postmark-e2e/resume", cloud.devApiKey());
        assertEquals(200, resume.statusCode(), resume.body());
        JsonNode resumed = JSON.readTree(resume.body());
        assertEquals("warming", resumed.get("state").asText());
        assertEquals("operator-resumed", resumed.get("decisions").get(0).get("action").asText());
        assertEquals(keyId, resumed.get("decisions").get(0).get("by").asText());
        assertEquals(409, call("POST", "/system/warming/postmark-e2e/resume", cloud.devApiKey()).statusCode(),
                "not paused any more");

        assertEquals(404, call("POST", "/system/warming/no-such-plan/pause", cloud.devApiKey()).statusCode());
        assertEquals(401, call("POST", "/system/warming/postmark-e2e/pause", null).statusCode());
        assertEquals(401, call("GET", "/system/warming", "wrong-key").statusCode());
        assertEquals("warming", plan("postmark-e2e").get("state").asText(), "the refused calls changed nothing");

        HttpResponse<String> openapi = call("GET", "/openapi", null);
        assertEquals(200, openapi.statusCode());
        assertTrue(openapi.body().contains("/system/warming/{plan}/pause") && openapi.body().contains("/system/warming/{plan}/resume"),
                "documented in the OpenAPI document");
    }
}
