package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudOptions;
import dev.dispatch.local.bench.PostmarkStub;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * IP warming in the send path, through the packaged functions on a local cloud of its own whose functions run an
 * enabled plan for SES (a warming.yaml handed to them under the test profile): a campaign through SES is held to the
 * plan's day-1 volume, the most engaged subscribers (engagement tracked through the API) first; the rest goes out,
 * each recipient exactly once, once the plan is warm. A second plan warms Postmark (a stand-in) with
 * {@code overAllowance: route}: a campaign pinned to Postmark then SES sends Postmark's day-1 volume to the most engaged
 * and the rest at once through the warm SES, each recipient exactly once, recorded as {@code warming-overflow}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmingSendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int DAY_ONE_VOLUME = 4;
    private static final int AUDIENCE = 10;
    private static final String PLAN = "ses-send-e2e";
    private static final String ROUTE_PLAN = "postmark-route-e2e";
    private static final int ROUTE_DAY_ONE_VOLUME = 3;
    private static LocalCloud cloud;
    private static PostmarkStub postmark;
    private static int sendingHoursEnd;

    @BeforeAll
    static void start() throws Exception {
        // Sending hours that ended before now, so that the whole day-1 volume is released (none before 01:00 UTC).
        sendingHoursEnd = Instant.now().atZone(ZoneOffset.UTC).getHour();
        assumeTrue(sendingHoursEnd >= 1, "between 00:00 and 01:00 UTC no sending hours have ended yet today");
        Path config = Files.createTempFile("warming-send-e2e", ".yaml");
        config.toFile().deleteOnExit();
        Files.writeString(config, """
                schedules:
                  tiny: { daily: [%d, 1000] }
                  route: { daily: [%d, 1000] }
                plans:
                  %s:
                    enabled: true
                    provider: ses
                    ipPool: ses-shared
                    schedule: tiny
                    sendingHours: { fromHour: 0, toHour: %d }
                  %s:
                    enabled: true
                    provider: postmark
                    ipPool: postmark-broadcast
                    schedule: route
                    sendingHours: { fromHour: 0, toHour: %d }
                    overAllowance: route
                """.formatted(DAY_ONE_VOLUME, ROUTE_DAY_ONE_VOLUME, PLAN, sendingHoursEnd, ROUTE_PLAN, sendingHoursEnd),
                StandardCharsets.UTF_8);
        postmark = new PostmarkStub(5, 1_000_000);
        LocalCloudOptions options = LocalCloudOptions.defaults().port(0).schedulesEnabled(false)
                .sqsVisibilityTimeoutSeconds(1)
                .environment("QUARKUS_PROFILE", "test")
                .secret("PostmarkServerTokenSecret", "{\"serverToken\": \"test-server-token-not-a-secret\"}")
                .parameter("PostmarkApiUrl", postmark.url().toString())
                .environment("WARMING_CONFIG_FILE", config.toString())
                // over-allowance recipients are looked at again after a second, not the deployed 5 minutes
                .environment("DISPATCH_ENQUEUE_WARMING_RELEASE_INTERVAL", "PT1S")
                .workDir(ProjectLayout.root().resolve("infra/local/target/local-cloud-warming-send-pid-"
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

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cloud.apiUrl(path)).timeout(Duration.ofSeconds(35))
                .header("Authorization", "Bearer " + cloud.devApiKey())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SES messages to this run's addresses, in the order the local SES stored them. */
    private static List<String> sesRecipients(String run) throws Exception {
        HttpResponse<String> store = HTTP.send(HttpRequest.newBuilder(cloud.localAws().sesEndpoint().resolve("/store"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        List<String> to = new ArrayList<>();
        for (JsonNode email : JSON.readTree(store.body()).get("emails")) {
            for (JsonNode address : email.path("destination").path("to")) {
                String bare = address.asText().replaceAll(".*<([^>]+)>.*", "$1");
                if (bare.contains(run)) {
                    to.add(bare);
                }
            }
        }
        return to;
    }

    private static JsonNode plan() throws Exception {
        return plan(PLAN);
    }

    private static JsonNode plan(String name) throws Exception {
        for (JsonNode p : JSON.readTree(call("GET", "/system/warming", null).body()).get("plans")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no plan " + name);
    }

    /**
     * {@link #AUDIENCE} subscribers of a new segment; the last {@code engagedCount} addresses (the end of the address
     * walk) get clicks through the API, more the later, and the call returns once each has a score.
     */
    private static List<String> audience(String run, String segment, int engagedCount) throws Exception {
        List<String> audience = new ArrayList<>();
        for (int i = 0; i < AUDIENCE; i++) {
            String email = String.format("w%02d-%s@example.com", i, run);
            audience.add(email);
            assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + email + "\",\"segments\":[\"" + segment + "\"]}")
                    .statusCode());
        }
        List<String> engaged = audience.subList(AUDIENCE - engagedCount, AUDIENCE);
        StringBuilder events = new StringBuilder("[");
        Instant at = Instant.now().minusSeconds(3600);
        for (int i = 0; i < engaged.size(); i++) {
            for (int n = 0; n <= i; n++) {
                events.append(events.length() > 1 ? "," : "").append("{\"id\":\"e-").append(run).append('-').append(i)
                        .append('-').append(n).append("\",\"type\":\"clicked\",\"email\":\"").append(engaged.get(i))
                        .append("\",\"timestamp\":\"").append(at.plusSeconds(n)).append("\"}");
            }
        }
        events.append(']');
        HttpResponse<String> tracked = call("POST", "/engagement/track", events.toString());
        assertEquals(202, tracked.statusCode(), tracked.body());
        for (String email : engaged) {
            double score = 0;
            for (int i = 0; i < 120 && score <= 0; i++) {
                JsonNode history = JSON.readTree(call("GET", "/analytics/subscriber/"
                        + URLEncoder.encode(email, StandardCharsets.UTF_8) + "/history", null).body());
                score = history.path("engagement").path("score").asDouble();
                if (score <= 0) {
                    Thread.sleep(250);
                }
            }
            assertTrue(score > 0, email + " has no engagement score yet");
        }
        return audience;
    }

    /** What warming-tick stores at the end of a plan's schedule: warm, capping nothing any more. */
    private static void markWarm(String plan) {
        cloud.localAws().dynamoDb().putItem(b -> b.tableName(cloud.localAws().resources().tableName("ControlTable"))
                .item(Map.of("pk", AttributeValue.fromS("warming#" + plan), "sk", AttributeValue.fromS("state"),
                        "status", AttributeValue.fromS("warm"), "day", AttributeValue.fromN("3"),
                        "dayOf", AttributeValue.fromS(LocalDate.now(ZoneOffset.UTC).toString()),
                        "version", AttributeValue.fromN("1"), "decisions", AttributeValue.fromL(List.of()))));
    }

    @Test
    @Order(2)
    void givenARoutePlanForPostmark_whenACampaignIsOverItsAllowance_thenTheRestGoesThroughTheWarmSesOnceEach()
            throws Exception {
        markWarm(PLAN); // SES warm (as the first test leaves it): no plan caps it, so it may take the overflow
        String run = UUID.randomUUID().toString().substring(0, 8);
        String segment = "route-" + run;
        List<String> audience = audience(run, segment, ROUTE_DAY_ONE_VOLUME);
        List<String> engaged = audience.subList(AUDIENCE - ROUTE_DAY_ONE_VOLUME, AUDIENCE);
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Route\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hello\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"postmark\",\"ses\"]}");
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());
        String status = "";
        for (int i = 0; i < 160 && !"sent".equals(status); i++) {
            Thread.sleep(250);
            status = JSON.readTree(call("GET", "/campaigns/" + id, null).body()).get("status").asText();
        }
        assertEquals("sent", status, "nothing waits for a later release: the overflow went out at once");

        List<String> throughPostmark = audience.stream().filter(a -> postmark.acceptedCount(a) > 0).toList();
        assertEquals(Set.copyOf(engaged), Set.copyOf(throughPostmark), "Postmark's day-1 volume to the most engaged");
        List<String> throughSes = sesRecipients(run);
        assertEquals(AUDIENCE - ROUTE_DAY_ONE_VOLUME, throughSes.size(), "the rest through SES: " + throughSes);
        for (String a : audience) {
            int times = postmark.acceptedCount(a) + (int) throughSes.stream().filter(a::equals).count();
            assertEquals(1, times, a + " received " + times + " messages");
        }
        JsonNode stats = JSON.readTree(call("GET", "/campaigns/" + id + "/stats", null).body());
        assertEquals(AUDIENCE - ROUTE_DAY_ONE_VOLUME, stats.path("routes").path("warming-overflow:" + ROUTE_PLAN).asInt(),
                stats.toString());
        assertEquals(AUDIENCE - ROUTE_DAY_ONE_VOLUME, stats.path("providers").path("ses").path("sent").asInt(), stats.toString());
        assertEquals(ROUTE_DAY_ONE_VOLUME, stats.path("providers").path("postmark").path("sent").asInt(), stats.toString());
        JsonNode plan = plan(ROUTE_PLAN);
        assertEquals(ROUTE_DAY_ONE_VOLUME, plan.get("usedToday").asLong(), plan.toString());
        assertEquals("route", plan.get("overAllowance").asText(), plan.toString());
    }

    @Test
    @Order(1)
    void givenAWarmingPlanForSes_whenACampaignGoesThroughSes_thenTheDayOneVolumeGoesToTheMostEngagedAndTheRestLaterOnce()
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String segment = "warm-" + run;
        // The last three addresses (the end of the address walk) are the engaged ones.
        List<String> audience = audience(run, segment, 3);
        List<String> engaged = audience.subList(AUDIENCE - 3, AUDIENCE);

        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Warm\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hello\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"]}");
        assertEquals(201, created.statusCode(), created.body());
        String id = JSON.readTree(created.body()).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());

        List<String> dayOne = List.of();
        for (int i = 0; i < 120 && dayOne.size() < DAY_ONE_VOLUME; i++) {
            Thread.sleep(250);
            dayOne = sesRecipients(run);
        }
        Thread.sleep(4000); // several refused release wake-ups (1 s apart) later, still no more
        dayOne = sesRecipients(run);
        assertEquals(DAY_ONE_VOLUME, dayOne.size(), "the day-1 volume exactly: " + dayOne);
        assertTrue(dayOne.containsAll(engaged), "the engaged first: " + dayOne);
        JsonNode plan = plan();
        assertEquals(DAY_ONE_VOLUME, plan.get("usedToday").asLong(), plan.toString());
        assertEquals("sending", JSON.readTree(call("GET", "/campaigns/" + id, null).body()).get("status").asText());

        // warming-tick at the schedule's end: the plan is warm and caps nothing any more.
        markWarm(PLAN);
        String status = "";
        for (int i = 0; i < 160 && !"sent".equals(status); i++) {
            Thread.sleep(250);
            status = JSON.readTree(call("GET", "/campaigns/" + id, null).body()).get("status").asText();
        }
        assertEquals("sent", status);
        List<String> all = sesRecipients(run);
        assertEquals(AUDIENCE, all.size(), "each recipient exactly once: " + all);
        Set<String> distinct = new HashSet<>(all);
        assertEquals(new HashSet<>(audience), distinct);
        assertEquals(dayOne, all.subList(0, DAY_ONE_VOLUME));
        JsonNode counts = JSON.readTree(call("GET", "/campaigns/" + id + "/stats", null).body()).get("counts");
        assertEquals(AUDIENCE, counts.get("recipients").asInt(), counts.toString());
        assertEquals(AUDIENCE, counts.get("sent").asInt(), counts.toString());
    }
}
