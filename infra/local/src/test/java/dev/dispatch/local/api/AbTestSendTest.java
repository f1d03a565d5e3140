package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.local.LocalCloud;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A/B tests that decide, through the packaged functions on a local cloud ({@link ClockedCloud}, shared with the
 * send-time test): api (create, send, stats,
 * engagement tracking), enqueue-campaign, send-batch to the local SES, apply-engagement for the opens. enqueue-campaign
 * runs under the test profile with a clock moved by a file (ENQUEUE_CLOCK_OFFSET_FILE), so the test passes a
 * 60-minute wait in a moment, and looks at the wait every second. Each test checks that only the sample goes out
 * before the wait is over (also with duplicated wake-ups), that the decision is the expected one and shown in the
 * stats, and that every subscriber gets exactly one message.
 */
class AbTestSendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int AUDIENCE = 300;
    private static LocalCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = ClockedCloud.cloud();
    }

    /** Moves enqueue-campaign's clock forward. */
    private static void advanceClock(Duration by) throws Exception {
        ClockedCloud.advance(by);
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return ClockedCloud.call(method, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** Subject by recipient of this run's messages in the local SES; a second message to anyone fails the test. */
    private static Map<String, String> sesSubjects(String run) throws Exception {
        HttpResponse<String> store = ClockedCloud.sesStore();
        Map<String, String> subjects = new HashMap<>();
        for (JsonNode email : JSON.readTree(store.body()).get("emails")) {
            for (JsonNode address : email.path("destination").path("to")) {
                String bare = address.asText().replaceAll(".*<([^>]+)>.*", "$1");
                if (bare.contains(run)) {
                    String before = subjects.put(bare, email.path("subject").asText());
                    assertNull(before, bare + " received a second message");
                }
            }
        }
        return subjects;
    }

    private static JsonNode statsWhen(String id, Predicate<JsonNode> done, String what) throws Exception {
        JsonNode stats = null;
        Instant limit = Instant.now().plusSeconds(90);
        while (Instant.now().isBefore(limit)) {
            stats = json(call("GET", "/campaigns/" + id + "/stats", null));
            if (done.test(stats)) {
                return stats;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting for " + what + ": " + stats);
    }

    private static void wakeUp(String campaignId) {
        String queue = cloud.localAws().resources().queueUrl("EnqueueQueue");
        cloud.localAws().sqs().sendMessage(b -> b.queueUrl(queue).messageBody("{\"campaignId\":\"" + campaignId + "\"}"));
    }

    private record Run(String run, String id, Map<String, String> sample) {}

    /**
     * Subscribers, the campaign with its A/B test, the send; waits for the sample to be sent (the test's phase
     * "waiting") and checks it is the sample alone.
     */
    private static Run sendSample(String fallback) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String segment = "ab-" + run;
        StringBuilder csv = new StringBuilder("email,segments\n");
        for (int i = 0; i < AUDIENCE; i++) {
            csv.append(String.format("ab%03d-%s@example.com,%s%n", i, run, segment));
        }
        HttpResponse<String> imported = call("POST", "/subscribers/bulk-import", csv.toString());
        assertTrue(imported.statusCode() < 300, imported.body());
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"AB " + run + "\","
                + "\"fromEmail\":\"news@example.com\",\"subject\":\"Hello\","
                + "\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"],"
                + "\"variants\":[{\"id\":\"A\",\"percent\":50,\"subject\":\"Subject A\"},"
                + "{\"id\":\"B\",\"percent\":50,\"subject\":\"Subject B\"}],"
                + "\"abTest\":{\"samplePercent\":50,\"waitMinutes\":60,\"metric\":\"open\",\"minSamplePerVariant\":30,"
                + "\"confidence\":0.95,\"fallback\":\"" + fallback + "\"}}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        assertEquals("open", json(created).get("abTest").get("metric").asText());
        // forced past the content check: what it scores is not this test's subject
        HttpResponse<String> sent = call("POST", "/campaigns/" + id + "/send", "{\"force\":true}");
        assertEquals(200, sent.statusCode(), sent.body());

        JsonNode stats = statsWhen(id, s -> "waiting".equals(s.path("abTest").path("phase").asText()), "the sample sent");
        Map<String, String> sample = sesSubjects(run);
        long recipients = stats.get("counts").get("recipients").asLong();
        assertEquals(recipients, sample.size(), "the sample and nobody else: " + stats);
        assertTrue(sample.size() > AUDIENCE * 0.35 && sample.size() < AUDIENCE * 0.65, "about half: " + sample.size());
        assertTrue(sample.containsValue("Subject A") && sample.containsValue("Subject B"), sample.values().toString());
        return new Run(run, id, sample);
    }

    /** Opens tracked through the API (apply-engagement counts them per variant): the first share of each variant. */
    private static void open(Run r, double shareA, double shareB) throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> opened = new HashMap<>();
        List<String> events = new ArrayList<>();
        for (Map.Entry<String, String> e : r.sample().entrySet()) {
            String variant = e.getValue().substring("Subject ".length());
            int n = seen.merge(variant, 1, Integer::sum);
            double share = variant.equals("A") ? shareA : shareB;
            if (Math.round(n * share) > Math.round((n - 1) * share)) {
                opened.merge(variant, 1, Integer::sum);
                events.add("{\"id\":\"open-" + r.run() + "-" + events.size() + "\",\"type\":\"opened\",\"email\":\""
                        + e.getKey() + "\",\"campaignId\":\"" + r.id() + "\",\"variant\":\"" + variant
                        + "\",\"timestamp\":\"" + Instant.now() + "\"}");
            }
        }
        HttpResponse<String> tracked = call("POST", "/engagement/track", "[" + String.join(",", events) + "]");
        assertEquals(202, tracked.statusCode(), tracked.body());
        statsWhen(r.id(), s -> opened.entrySet().stream().allMatch(o -> s.path("variants").path(o.getKey()).path("counts")
                .path("uniqueOpened").asInt() == o.getValue()), "the opens counted");
    }

    /** Duplicated wake-ups while the test waits: still nobody outside the sample, still undecided. */
    private static void redeliverDuringTheWait(Run r) throws Exception {
        advanceClock(Duration.ofMinutes(30));
        for (int i = 0; i < 3; i++) {
            wakeUp(r.id());
        }
        Thread.sleep(4000);
        assertEquals(r.sample(), sesSubjects(r.run()), "nobody else before the wait is over");
        assertEquals("waiting", json(call("GET", "/campaigns/" + r.id() + "/stats", null)).get("abTest").get("phase").asText());
    }

    /** Past the wait: the rest is sent; everyone exactly once; a wake-up after the end changes nothing. */
    private static JsonNode finish(Run r) throws Exception {
        advanceClock(Duration.ofMinutes(31));
        JsonNode stats = statsWhen(r.id(), s -> "sent".equals(s.get("status").asText()), "the campaign sent");
        wakeUp(r.id());
        wakeUp(r.id());
        Thread.sleep(2000);
        Map<String, String> all = sesSubjects(r.run());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < AUDIENCE; i++) {
            expected.add(String.format("ab%03d-%s@example.com", i, r.run()));
        }
        assertEquals(expected, all.keySet(), "every subscriber exactly once");
        r.sample().forEach((to, subject) -> assertEquals(subject, all.get(to), "the sample kept its variant"));
        stats = json(call("GET", "/campaigns/" + r.id() + "/stats", null));
        assertEquals(AUDIENCE, stats.get("counts").get("recipients").asInt(), stats.toString());
        assertEquals(AUDIENCE, stats.get("counts").get("sent").asInt(), stats.toString());
        assertEquals("decided", stats.get("abTest").get("phase").asText());
        return stats;
    }

    @Test
    void givenBOpenedFarMoreOften_whenTheWaitIsOver_thenBWinsAndGoesToEveryoneElseExactlyOnce() throws Exception {
        Run r = sendSample("A");
        open(r, 0.10, 0.60);
        redeliverDuringTheWait(r);
        JsonNode stats = finish(r);
        JsonNode decision = stats.get("abTest").get("decision");
        assertEquals("B", decision.get("winner").asText(), decision.toString());
        assertEquals("B", decision.get("sendTo").asText());
        assertFalse(decision.get("fallbackUsed").asBoolean());
        assertEquals("significant", decision.get("reason").asText());
        assertTrue(decision.get("z").asDouble() > 0 && decision.get("confidence").asDouble() > 0.95, decision.toString());
        assertEquals(2, decision.get("variants").size());
        for (JsonNode arm : decision.get("variants")) {
            assertTrue(arm.get("base").asInt() >= 30, arm.toString());
        }
        Map<String, String> all = sesSubjects(r.run());
        all.forEach((to, subject) -> {
            if (!r.sample().containsKey(to)) {
                assertEquals("Subject B", subject, to + " outside the sample gets the winner");
            }
        });
    }

    @Test
    void givenEqualOpenRates_whenTheWaitIsOver_thenNoWinnerAndTheSplitFallbackGoesToEveryoneElseExactlyOnce()
            throws Exception {
        Run r = sendSample("split");
        open(r, 0.30, 0.30);
        redeliverDuringTheWait(r);
        JsonNode stats = finish(r);
        JsonNode decision = stats.get("abTest").get("decision");
        assertTrue(decision.get("winner").isNull(), decision.toString());
        assertEquals("split", decision.get("sendTo").asText());
        assertTrue(decision.get("fallbackUsed").asBoolean());
        assertEquals("not-significant", decision.get("reason").asText());
        Set<String> restSubjects = new HashSet<>();
        sesSubjects(r.run()).forEach((to, subject) -> {
            if (!r.sample().containsKey(to)) {
                restSubjects.add(subject);
            }
        });
        assertEquals(Set.of("Subject A", "Subject B"), restSubjects, "the rest keeps splitting");
    }

    private static JsonNode refused(String abTest, String variants) throws Exception {
        HttpResponse<String> r = call("POST", "/campaigns", "{\"name\":\"Bad\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"s\",\"html\":\"h\",\"segments\":[\"nobody\"],\"variants\":" + variants
                + ",\"abTest\":" + abTest + "}");
        assertEquals(400, r.statusCode(), r.body());
        return json(r);
    }

    @Test
    void givenBadAbTests_whenCreatedOrSent_thenA400NamesTheField() throws Exception {
        String two = "[{\"id\":\"A\",\"percent\":50},{\"id\":\"B\",\"percent\":50}]";
        String good = "{\"samplePercent\":20,\"waitMinutes\":60,\"metric\":\"open\",\"minSamplePerVariant\":100}";
        assertEquals("variants", refused(good, "[{\"id\":\"A\",\"percent\":40},{\"id\":\"B\",\"percent\":50}]")
                .get("field").asText());
        StringBuilder seven = new StringBuilder("[");
        for (int i = 0; i < 7; i++) {
            seven.append(i > 0 ? "," : "").append("{\"id\":\"V").append(i).append("\",\"percent\":").append(i < 2 ? 15 : 14)
                    .append('}');
        }
        JsonNode tooMany = refused(good, seven.append(']').toString());
        assertEquals("variants", tooMany.get("field").asText());
        assertTrue(tooMany.get("error").asText().contains("at most 6"), tooMany.toString());
        assertEquals("abTest.metric", refused(good.replace("\"open\"", "\"revenue\""), two).get("field").asText());
        assertEquals("abTest.minSamplePerVariant", refused(good.replace("100", "5"), two).get("field").asText());
        assertEquals("abTest.samplePercent", refused(good.replace(":20", ":0"), two).get("field").asText());
        assertEquals("abTest.fallback", refused(good.replace("}", ",\"fallback\":\"C\"}"), two).get("field").asText());

        // A sample too small to decide: 10 % of 20 subscribers can't give each variant 100.
        String run = UUID.randomUUID().toString().substring(0, 8);
        StringBuilder csv = new StringBuilder("email,segments\n");
        for (int i = 0; i < 20; i++) {
            csv.append(String.format("small%02d-%s@example.com,small-%s%n", i, run, run));
        }
        assertTrue(call("POST", "/subscribers/bulk-import", csv.toString()).statusCode() < 300);
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Small\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"s\",\"html\":\"h\",\"segments\":[\"small-" + run + "\"],\"variants\":" + two
                + ",\"abTest\":" + good.replace(":20", ":10") + "}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        HttpResponse<String> send = call("POST", "/campaigns/" + id + "/send", "{\"force\":true}");
        assertEquals(400, send.statusCode(), send.body());
        assertEquals("abTest.samplePercent", json(send).get("field").asText());
        assertTrue(json(send).get("error").asText().contains("too small"), send.body());
        assertEquals("draft", json(call("GET", "/campaigns/" + id, null)).get("status").asText(), "nothing was sent");
        assertEquals(Map.of(), sesSubjects(run));
    }
}
