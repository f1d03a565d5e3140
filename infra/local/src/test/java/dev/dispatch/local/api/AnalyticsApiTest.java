package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Engagement end to end on the local cloud: POST /engagement/track -> EngagementQueue -> apply-engagement ->
 * Engagement, Suppressions, Campaigns and Counters tables, read back through the analytics routes, subscriber
 * status, campaign stats and trends. Every test uses its own addresses (the cloud is shared by every test class).
 */
@ExtendWith(LocalCloudExtension.class)
class AnalyticsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HALF_LIFE = Duration.ofDays(30);
    private static final List<String> CAMPAIGN_COUNTERS =
            List.of("delivered", "opened", "clicked", "bounced", "softBounced", "complained", "unsubscribed");
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    // ------------------------------------------------------------------ helpers

    private static JsonNode ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return json(response);
    }

    private static void assertError(HttpResponse<String> response, String field) {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(json(response).hasNonNull("error"), response.body());
        assertEquals(field, json(response).path("field").asText(null), response.body());
    }

    private String address(String local) {
        return local + "-" + run + "@example.com";
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String historyPath(String email, String query) {
        return "/analytics/subscriber/" + encoded(email) + "/history" + (query == null ? "" : "?" + query);
    }

    private static JsonNode subscriber(String email) {
        return ok(call("GET", "/subscribers/" + encoded(email), null));
    }

    private static void addSubscriber(String email, String segment) {
        HttpResponse<String> created = call("POST", "/subscribers", "{\"email\":\"" + email + "\",\"segments\":[\"" + segment + "\"]}");
        assertEquals(201, created.statusCode(), created.body());
    }

    private ObjectNode event(String id, String type, String email, Instant at) {
        ObjectNode event = JSON.createObjectNode();
        event.put("id", id + "-" + run);
        event.put("type", type);
        event.put("email", email);
        event.put("timestamp", at.toString());
        return event;
    }

    private static ArrayNode array(List<ObjectNode> events) {
        ArrayNode array = JSON.createArrayNode();
        events.forEach(array::add);
        return array;
    }

    private static HttpResponse<String> track(String body) {
        return call("POST", "/engagement/track", body);
    }

    private static void trackAccepted(List<ObjectNode> events) {
        HttpResponse<String> response = track(array(events).toString());
        assertEquals(202, response.statusCode(), response.body());
        assertEquals(events.size(), json(response).get("accepted").asInt(), response.body());
    }

    /** Polls the history until {@code done} holds for its events (all of them, up to 200). */
    private static JsonNode awaitHistory(String email, Predicate<JsonNode> done) throws InterruptedException {
        JsonNode last = null;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos(); System.nanoTime() < deadline; ) {
            HttpResponse<String> response = call("GET", historyPath(email, "limit=200"), null);
            if (response.statusCode() == 200) {
                last = json(response);
                if (done.test(last.get("events"))) {
                    return last;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("events of " + email + " not applied in time; last seen: " + last);
    }

    /** Waits until exactly {@code count} events are recorded for the address and every one is applied. */
    private static JsonNode awaitApplied(String email, int count) throws InterruptedException {
        return awaitHistory(email, events -> events.size() >= count && allApplied(events));
    }

    private static boolean allApplied(JsonNode events) {
        for (JsonNode event : events) {
            if (!event.get("applied").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> field(JsonNode events, String name) {
        List<String> values = new ArrayList<>();
        events.forEach(e -> values.add(e.path(name).asText(null)));
        return values;
    }

    private static double expectedScore(Instant at, Map<Instant, Double> weights) {
        return weights.entrySet().stream().mapToDouble(e -> e.getValue()
                * Math.pow(0.5, (double) Duration.between(e.getKey(), at).toMillis() / HALF_LIFE.toMillis())).sum();
    }

    private static JsonNode awaitCampaignSent(String id) throws InterruptedException {
        JsonNode campaign = null;
        for (int i = 0; i < 180; i++) {
            campaign = json(call("GET", "/campaigns/" + id, null));
            if ("sent".equals(campaign.path("status").asText())) {
                return campaign;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("campaign not sent in time: " + campaign);
    }


    private static JsonNode trends(String query) {
        return ok(call("GET", "/analytics/trends" + (query == null ? "" : "?" + query), null));
    }

    private static long count(JsonNode counts, String name) {
        return counts.path(name).asLong(0);
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }

    /** Every rate of a trends entry, checked against its own counts with the documented formulas. */
    private static void assertPeriodRates(JsonNode entry) {
        JsonNode c = entry.get("counts");
        JsonNode r = entry.get("rates");
        long sent = count(c, "sent");
        long reported = count(c, "delivered");
        // with no delivery reported, the sends that didn't bounce are the base of the engagement rates
        long delivered = reported > 0 ? reported : Math.max(0, sent - count(c, "bounced") - count(c, "softBounced"));
        assertEquals(ratio(reported, sent), r.get("deliveryRate").asDouble(), 1e-12, entry.toString());
        assertEquals(ratio(count(c, "opened"), delivered), r.get("openRate").asDouble(), 1e-12, entry.toString());
        assertEquals(ratio(count(c, "clicked"), delivered), r.get("clickRate").asDouble(), 1e-12, entry.toString());
        assertEquals(ratio(count(c, "bounced") + count(c, "softBounced"), sent), r.get("bounceRate").asDouble(), 1e-12, entry.toString());
        assertEquals(ratio(count(c, "complained"), delivered), r.get("complaintRate").asDouble(), 1e-12, entry.toString());
        assertEquals(ratio(count(c, "unsubscribed"), delivered), r.get("unsubscribeRate").asDouble(), 1e-12, entry.toString());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void givenInvalidTrackedEvents_thenTheRequestIsRefusedWithItsRowAndField_andNothingIsRecorded() throws Exception {
        String ada = address("val-ada");
        String bob = address("val-bob");
        ObjectNode good = event("good", "opened", ada, now.minusSeconds(60));
        ObjectNode badEmail = event("bad-email", "opened", "not-an-email", now);
        ObjectNode noId = event("no-id", "opened", bob, now);
        noId.remove("id");
        ObjectNode unknownType = event("unknown", "teleported", bob, now);
        ObjectNode noTimestamp = event("no-ts", "clicked", bob, now);
        noTimestamp.remove("timestamp");

        assertError(track(array(List.of(good, good.deepCopy().put("id", "g2-" + run), badEmail)).toString()), "events[2].email");
        assertError(track(array(List.of(good, noId)).toString()), "events[1].id");
        assertError(track(array(List.of(good, unknownType)).toString()), "events[1].type");
        assertError(track(array(List.of(good, noTimestamp)).toString()), "events[1].timestamp");
        assertError(track("{\"events\":" + array(List.of(good, badEmail)) + "}"), "events[1].email");
        List<ObjectNode> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(event("many-" + i, "delivered", bob, now.minusSeconds(i)));
        }
        assertError(track(array(tooMany).toString()), "events");
        assertError(track("[" + good + ", {\"id\":"), "body");
        assertError(track("{\"events\":" + array(List.of(good)) + ",\"more\":true}"), "more");
        assertError(track("[]"), "events");
        HttpResponse<String> noKey = LocalCloudExtension.postJson("/engagement/track", array(List.of(good)).toString());
        assertEquals(401, noKey.statusCode(), noKey.body());

        // The one accepted request lands; none of the refused rows (good ones included) was queued.
        ObjectNode marker = event("marker", "delivered", ada, now.minusSeconds(120));
        trackAccepted(List.of(marker));
        JsonNode history = awaitApplied(ada, 1);
        Thread.sleep(1500); // room for anything wrongly queued before the marker to show up too
        history = ok(call("GET", historyPath(ada, null), null));
        assertEquals(1, history.get("events").size(), history.toString());
        assertEquals("delivered", history.get("events").get(0).get("type").asText());
        assertEquals("track", history.get("events").get(0).get("provider").asText());
        assertEquals(0, history.get("engagement").get("opens").asInt(), history.toString());
        assertEquals(404, call("GET", historyPath(bob, null), null).statusCode());
    }

    @Test
    void givenTrackedEvents_thenHistoryIsNewestFirstAndPages_andScoreAndStageFollowTheEvents() throws Exception {
        String segment = "hist-" + run;
        String ada = address("hist-ada");
        addSubscriber(ada, segment);
        Instant delivered = now.minus(Duration.ofHours(5));
        Instant open1 = now.minus(Duration.ofHours(4));
        Instant click = now.minus(Duration.ofHours(3));
        Instant open2 = now.minus(Duration.ofHours(2));
        Instant deferred = now.minus(Duration.ofHours(1));
        List<ObjectNode> events = new ArrayList<>(List.of(
                event("h1", "delivered", ada, delivered),
                event("h2", "opened", ada, open1),
                event("h3", "clicked", ada, click).put("url", "https://example.com/offer"),
                event("h4", "OPENED", ada, open2),
                event("h5", "deferred", ada, deferred).put("reason", "try later")));
        Collections.shuffle(events, new Random(run.hashCode()));
        HttpResponse<String> accepted = track("{\"events\":" + array(events) + "}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertEquals(5, json(accepted).get("accepted").asInt());

        JsonNode history = awaitApplied(ada, 5);
        JsonNode all = history.get("events");
        assertEquals(5, all.size(), history.toString());
        assertEquals(List.of("deferred", "opened", "clicked", "opened", "delivered"), field(all, "type"));
        assertEquals(List.of(deferred, open2, click, open1, delivered).stream().map(Instant::toString).toList(),
                field(all, "occurredAt").stream().map(s -> Instant.parse(s).toString()).toList());
        assertEquals("https://example.com/offer", all.get(2).get("url").asText());
        assertEquals("try later", all.get(0).get("detail").asText());
        assertNotNull(history.get("nextCursor"));
        assertTrue(history.get("nextCursor").isNull(), history.toString());
        assertEquals(ada, history.get("email").asText());
        assertEquals("active", history.get("status").asText());

        JsonNode engagement = history.get("engagement");
        assertEquals(2, engagement.get("opens").asInt());
        assertEquals(1, engagement.get("clicks").asInt());
        assertEquals(0, engagement.get("softBounceStreak").asInt());
        assertEquals(open2, Instant.parse(engagement.get("lastActivityAt").asText()));
        assertEquals("active", engagement.get("stage").asText());
        double score = expectedScore(Instant.now(), Map.of(open1, 1.0, click, 3.0, open2, 1.0));
        assertEquals(score, engagement.get("score").asDouble(), 0.002, engagement.toString());
        assertTrue(engagement.get("score").asDouble() < 5.0, "the score decays: " + engagement);

        JsonNode profile = subscriber(ada).get("engagement");
        assertEquals("active", profile.get("stage").asText(), profile.toString());
        assertEquals(score, profile.get("score").asDouble(), 0.002, profile.toString());
        assertEquals(open2, Instant.parse(profile.get("lastActivityAt").asText()));

        // Pages of 2 with the cursor: 2, 2, 1, the same events in the same order, then no cursor.
        List<String> paged = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(call("GET", historyPath(ada, "limit=2" + (cursor == null ? "" : "&cursor=" + encoded(cursor))), null));
            sizes.add(page.get("events").size());
            paged.addAll(field(page.get("events"), "occurredAt"));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null && sizes.size() < 10);
        assertEquals(List.of(2, 2, 1), sizes);
        assertEquals(field(all, "occurredAt"), paged);

        assertEquals(5, ok(call("GET", historyPath(ada, "limit=200"), null)).get("events").size());
        assertEquals(1, ok(call("GET", historyPath(ada, "limit=1"), null)).get("events").size());
        assertError(call("GET", historyPath(ada, "limit=0"), null), "limit");
        assertError(call("GET", historyPath(ada, "limit=201"), null), "limit");
        assertError(call("GET", historyPath(ada, "limit=ten"), null), "limit");
        assertError(call("GET", historyPath(ada, "cursor=not%21a%21cursor"), null), "cursor");
        assertError(call("GET", historyPath(ada, "cursor=YWJjZGVm"), null), "cursor");
        assertError(call("GET", historyPath("not-an-email", null), null), "id");
        assertEquals(404, call("GET", historyPath(address("nobody"), null), null).statusCode());
        assertEquals(401, LocalCloudExtension.get(historyPath(ada, null)).statusCode());

        // A profile without events: found, new, score 0, no events.
        String fresh = address("hist-new");
        addSubscriber(fresh, segment);
        JsonNode none = ok(call("GET", historyPath(fresh, null), null));
        assertEquals(0, none.get("events").size());
        assertEquals("new", none.get("engagement").get("stage").asText());
        assertEquals(0.0, none.get("engagement").get("score").asDouble());
        assertEquals("new", subscriber(fresh).get("engagement").get("stage").asText());

        // Addresses without a profile: status unknown, stage from the last open (45 days: at risk; 100: dormant).
        String quiet = address("hist-quiet");
        String gone = address("hist-gone");
        Instant longAgo = now.minus(Duration.ofDays(45));
        trackAccepted(List.of(event("q1", "opened", quiet, longAgo), event("g1", "opened", gone, now.minus(Duration.ofDays(100)))));
        JsonNode quietHistory = awaitApplied(quiet, 1);
        assertTrue(quietHistory.get("status").isNull(), quietHistory.toString());
        assertEquals("at-risk", quietHistory.get("engagement").get("stage").asText());
        assertEquals(expectedScore(Instant.now(), Map.of(longAgo, 1.0)), quietHistory.get("engagement").get("score").asDouble(), 0.002);
        assertEquals("dormant", awaitApplied(gone, 1).get("engagement").get("stage").asText());
    }

    @Test
    void givenBounces_thenAHardBounceOrThreeSoftBouncesInARowSuppress_butADeliveryInBetweenResetsTheStreak() throws Exception {
        String segment = "bounce-" + run;
        String hard = address("hard");
        String soft3 = address("soft3");
        String soft2 = address("soft2");
        for (String email : List.of(hard, soft3, soft2)) {
            addSubscriber(email, segment);
        }
        Instant t = now.minus(Duration.ofHours(6));
        trackAccepted(List.of(
                event("b1", "bounced", hard, t).put("reason", "550 no such user"),
                event("s31", "soft_bounced", soft3, t),
                event("s32", "soft_bounced", soft3, t.plusSeconds(3600)),
                event("s33", "soft_bounced", soft3, t.plusSeconds(7200)),
                event("s21", "soft_bounced", soft2, t),
                event("s22", "soft_bounced", soft2, t.plusSeconds(3600)),
                event("s23", "delivered", soft2, t.plusSeconds(5400)),
                event("s24", "soft_bounced", soft2, t.plusSeconds(7200))));
        awaitApplied(hard, 1);
        JsonNode soft3History = awaitApplied(soft3, 3);
        JsonNode soft2History = awaitApplied(soft2, 4);

        assertEquals("bounced", subscriber(hard).get("status").asText());
        assertEquals("bounced", subscriber(soft3).get("status").asText());
        assertEquals("bounced", soft3History.get("status").asText());
        assertEquals(3, soft3History.get("engagement").get("softBounceStreak").asInt());
        assertEquals("active", subscriber(soft2).get("status").asText());
        assertEquals(1, soft2History.get("engagement").get("softBounceStreak").asInt(), soft2History.toString());
        assertEquals("550 no such user", ok(call("GET", historyPath(hard, null), null)).get("events").get(0).get("detail").asText());
    }

    @Test
    void givenAnAbCampaign_whenRecipientsEngage_thenStatsCountAndRateExactlyPerVariant_repeatsChangeNothing_andTheNextCampaignSkipsTheSuppressed(
            LocalCloud cloud) throws Exception {
        String segment = "ab-" + run;
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            recipients.add(address("ab" + i));
            addSubscriber(recipients.get(i), segment);
        }
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        JsonNode sesBefore = trends("from=" + today + "&to=" + today + "&provider=ses").get("totals").get("counts");

        String campaignBody = "{\"name\":\"AB\",\"fromEmail\":\"news@example.com\",\"subject\":\"Offer A\","
                + "\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\",\"segments\":[\"" + segment + "\"],"
                + "\"variants\":[{\"id\":\"A\",\"percent\":50},{\"id\":\"B\",\"percent\":50,\"subject\":\"Offer B\"}],"
                + "\"providers\":[\"ses\"]}";
        HttpResponse<String> created = call("POST", "/campaigns", campaignBody);
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());
        awaitCampaignSent(id);

        // Each recipient's variant, from the subject local SES received.
        Map<String, List<JsonNode>> sent = LocalCloudExtension.sesMessagesTo(run);
        Map<String, String> variantOf = new HashMap<>();
        for (String email : recipients) {
            assertEquals(1, sent.getOrDefault(email, List.of()).size(), email + " must get exactly one message");
            String subject = sent.get(email).get(0).get("subject").asText();
            assertTrue(subject.equals("Offer A") || subject.equals("Offer B"), subject);
            variantOf.put(email, subject.substring(6));
        }

        // What each recipient did (types as tracked); every event carries the campaign and the recipient's variant.
        Map<String, List<String>> plan = new LinkedHashMap<>();
        plan.put(recipients.get(0), List.of("delivered", "opened", "opened", "clicked", "clicked"));
        plan.put(recipients.get(1), List.of("delivered", "opened"));
        plan.put(recipients.get(2), List.of("delivered", "complained"));
        plan.put(recipients.get(3), List.of("bounced"));
        plan.put(recipients.get(4), List.of("delivered", "opened", "clicked", "unsubscribed"));
        plan.put(recipients.get(5), List.of("soft_bounced"));
        List<ObjectNode> events = new ArrayList<>();
        plan.forEach((email, types) -> {
            for (int i = 0; i < types.size(); i++) {
                events.add(event("ab-" + email.substring(0, 3) + "-" + i, types.get(i), email, now.minus(Duration.ofMinutes(30 - i)))
                        .put("campaignId", id).put("variant", variantOf.get(email)));
            }
        });
        trackAccepted(events);
        for (Map.Entry<String, List<String>> entry : plan.entrySet()) {
            awaitApplied(entry.getKey(), entry.getValue().size());
        }

        // Expected counters: totals, and unique = recipients with at least one such event; per variant the same.
        Map<String, Map<String, Long>> expected = new TreeMap<>();
        expected.put("", new TreeMap<>());
        plan.forEach((email, types) -> {
            for (String scope : List.of("", variantOf.get(email))) {
                Map<String, Long> counts = expected.computeIfAbsent(scope, s -> new TreeMap<>());
                counts.merge("sent", 1L, Long::sum);
                for (String type : types) {
                    counts.merge(counter(type), 1L, Long::sum);
                }
                types.stream().map(AnalyticsApiTest::counter).distinct()
                        .forEach(c -> counts.merge("unique" + Character.toUpperCase(c.charAt(0)) + c.substring(1), 1L, Long::sum));
            }
        });

        JsonNode stats = ok(call("GET", "/campaigns/" + id + "/stats", null));
        assertEquals(6, stats.get("counts").get("recipients").asInt(), stats.toString());
        assertCampaignCounts(expected.get(""), stats.get("counts"), stats.get("rates"));
        // the hand-computed totals, so that the generic check above can't hide a wrong expectation
        assertEquals(4, count(stats.get("counts"), "delivered"));
        assertEquals(4, count(stats.get("counts"), "opened"));
        assertEquals(3, count(stats.get("counts"), "uniqueOpened"));
        assertEquals(3, count(stats.get("counts"), "clicked"));
        assertEquals(2, count(stats.get("counts"), "uniqueClicked"));
        assertEquals(4.0 / 6, stats.get("rates").get("deliveryRate").asDouble(), 1e-12);
        assertEquals(3.0 / 4, stats.get("rates").get("openRate").asDouble(), 1e-12);
        assertEquals(2.0 / 4, stats.get("rates").get("clickRate").asDouble(), 1e-12);
        assertEquals(2.0 / 3, stats.get("rates").get("clickToOpenRate").asDouble(), 1e-12);
        assertEquals(2.0 / 6, stats.get("rates").get("bounceRate").asDouble(), 1e-12);
        assertEquals(1.0 / 4, stats.get("rates").get("complaintRate").asDouble(), 1e-12);
        assertEquals(1.0 / 4, stats.get("rates").get("unsubscribeRate").asDouble(), 1e-12);
        JsonNode variants = stats.get("variants");
        assertEquals(List.of("A", "B"), iterate(variants.fieldNames()));
        for (String variant : List.of("A", "B")) {
            Map<String, Long> counts = expected.getOrDefault(variant, Map.of());
            assertCampaignCounts(counts, variants.get(variant).get("counts"), variants.get(variant).get("rates"));
        }

        // The complained, bounced and unsubscribed recipients are suppressed; one soft bounce is not enough.
        assertEquals("complained", subscriber(recipients.get(2)).get("status").asText());
        assertEquals("bounced", subscriber(recipients.get(3)).get("status").asText());
        assertEquals("unsubscribed", subscriber(recipients.get(4)).get("status").asText());
        assertEquals("active", subscriber(recipients.get(5)).get("status").asText());

        // Repeating every event changes nothing; a new marker last in the same message shows they were processed.
        JsonNode countsBefore = stats.get("counts");
        List<ObjectNode> again = new ArrayList<>(events);
        again.add(event("ab-marker", "deferred", recipients.get(1), now.minus(Duration.ofMinutes(1))));
        trackAccepted(again);
        awaitApplied(recipients.get(1), plan.get(recipients.get(1)).size() + 1);
        JsonNode statsAfter = ok(call("GET", "/campaigns/" + id + "/stats", null));
        assertEquals(countsBefore, statsAfter.get("counts"));
        JsonNode r0 = ok(call("GET", historyPath(recipients.get(0), null), null));
        assertEquals(5, r0.get("events").size(), r0.toString());
        assertEquals(2, r0.get("engagement").get("opens").asInt());
        assertEquals(2, r0.get("engagement").get("clicks").asInt());

        // The day's trends include the sends (6 more sent through ses) and the engagement, with consistent rates.
        JsonNode sesAfter = trends("from=" + today + "&to=" + today + "&provider=ses");
        assertEquals(count(sesBefore, "sent") + 6, count(sesAfter.get("totals").get("counts"), "sent"), sesAfter.toString());
        assertEquals(count(sesBefore, "errors"), count(sesAfter.get("totals").get("counts"), "errors"), sesAfter.toString());
        JsonNode day = trends("from=" + today + "&to=" + today);
        assertEquals(1, day.get("days").size());
        assertTrue(count(day.get("providers").get("track").get("counts"), "delivered") >= 4, day.toString());
        assertTrue(count(day.get("totals").get("counts"), "sent") >= 6, day.toString());
        assertPeriodRates(day.get("days").get(0));
        assertPeriodRates(day.get("totals"));
        assertEquals(day.get("days").get(0).get("counts"), day.get("totals").get("counts"));

        // The next campaign to the same segment skips the three suppressed recipients and sends to the others.
        HttpResponse<String> next = call("POST", "/campaigns", campaignBody.replace("\"AB\"", "\"AB again\""));
        assertEquals(201, next.statusCode(), next.body());
        String nextId = json(next).get("id").asText();
        assertEquals(200, call("POST", "/campaigns/" + nextId + "/send", null).statusCode());
        awaitCampaignSent(nextId);
        JsonNode nextCounts = ok(call("GET", "/campaigns/" + nextId + "/stats", null)).get("counts");
        assertEquals(3, count(nextCounts, "sent"), nextCounts.toString());
        assertEquals(3, count(nextCounts, "skippedSuppressed") + count(nextCounts, "suppressed"), nextCounts.toString());
        Map<String, List<JsonNode>> sentAgain = LocalCloudExtension.sesMessagesTo(run);
        for (int i = 0; i < 6; i++) {
            boolean suppressed = i >= 2 && i <= 4;
            assertEquals(suppressed ? 1 : 2, sentAgain.get(recipients.get(i)).size(), recipients.get(i));
        }
    }

    @Test
    void givenEventsOnAPastDay_thenTrendsShowEveryDayWithExactCountsAndRates_andBadPeriodsAreRefused() throws Exception {
        // A day nobody else uses: another test class tracking "now" can't change these counts.
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate day = today.minusDays(400 + new Random(run.hashCode()).nextInt(3000));
        Instant at = day.atTime(12, 0).toInstant(ZoneOffset.UTC);
        List<String> people = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            people.add(address("trend" + i));
        }
        List<ObjectNode> events = List.of(
                event("t1", "delivered", people.get(0), at), event("t2", "opened", people.get(0), at.plusSeconds(60)),
                event("t3", "opened", people.get(0), at.plusSeconds(120)), event("t4", "clicked", people.get(0), at.plusSeconds(180)),
                event("t5", "delivered", people.get(1), at), event("t6", "opened", people.get(1), at.plusSeconds(60)),
                event("t7", "delivered", people.get(2), at), event("t8", "complained", people.get(2), at.plusSeconds(60)),
                event("t9", "delivered", people.get(3), at), event("t10", "unsubscribed", people.get(3), at.plusSeconds(60)),
                event("t11", "bounced", people.get(4), at), event("t12", "soft_bounced", people.get(4), at.plusSeconds(60)),
                event("t13", "deferred", people.get(4), at.plusSeconds(120)));
        trackAccepted(events);
        int[] perPerson = {4, 2, 2, 2, 3};
        for (int i = 0; i < people.size(); i++) {
            awaitApplied(people.get(i), perPerson[i]);
        }

        String period = "from=" + day.minusDays(1) + "&to=" + day.plusDays(1);
        for (String query : List.of(period + "&provider=track", period, period + "&provider=TRACK")) {
            JsonNode trends = trends(query);
            assertEquals(day.minusDays(1).toString(), trends.get("from").asText());
            assertEquals(day.plusDays(1).toString(), trends.get("to").asText());
            JsonNode days = trends.get("days");
            assertEquals(List.of(day.minusDays(1).toString(), day.toString(), day.plusDays(1).toString()), field(days, "day"));
            for (int i : new int[] {0, 2}) {
                days.get(i).get("counts").forEach(n -> assertEquals(0, n.asLong(), trends.toString()));
                days.get(i).get("rates").forEach(n -> assertEquals(0.0, n.asDouble(), trends.toString()));
            }
            JsonNode counts = days.get(1).get("counts");
            Map<String, Long> expected = new LinkedHashMap<>();
            expected.put("sent", 0L);
            expected.put("delivered", 4L);
            expected.put("opened", 3L);
            expected.put("clicked", 1L);
            expected.put("bounced", 1L);
            expected.put("softBounced", 1L);
            expected.put("complained", 1L);
            expected.put("unsubscribed", 1L);
            expected.put("errors", 0L);
            assertEquals(expected, JSON.convertValue(counts, new TypeReference<Map<String, Long>>() {}), trends.toString());
            JsonNode rates = days.get(1).get("rates");
            assertEquals(0.0, rates.get("deliveryRate").asDouble());
            assertEquals(0.75, rates.get("openRate").asDouble());
            assertEquals(0.25, rates.get("clickRate").asDouble());
            assertEquals(0.0, rates.get("bounceRate").asDouble());
            assertEquals(0.25, rates.get("complaintRate").asDouble());
            assertEquals(0.25, rates.get("unsubscribeRate").asDouble());
            assertEquals(days.get(1), JSON.createObjectNode().put("day", day.toString()).setAll((ObjectNode) trends.get("totals")));
            assertEquals(List.of("track"), iterate(trends.get("providers").fieldNames()));
            assertEquals(trends.get("totals"), trends.get("providers").get("track"));
        }
        JsonNode ses = trends(period + "&provider=ses");
        assertEquals("ses", ses.get("provider").asText());
        ses.get("totals").get("counts").forEach(n -> assertEquals(0, n.asLong()));
        assertEquals(0, ses.get("providers").size());

        // Default: the last 30 days, today (UTC) included, every day present.
        JsonNode recent = trends(null);
        assertEquals(30, recent.get("days").size());
        assertEquals(today.toString(), recent.get("to").asText());
        assertEquals(today.minusDays(29).toString(), recent.get("from").asText());
        assertEquals(today.toString(), recent.get("days").get(29).get("day").asText());
        assertPeriodRates(recent.get("totals"));
        JsonNode before = trends("to=" + day);
        assertEquals(30, before.get("days").size());
        assertEquals(day.minusDays(29).toString(), before.get("from").asText());
        assertEquals(366, trends("from=" + day.minusDays(365) + "&to=" + day).get("days").size());

        assertError(call("GET", "/analytics/trends?from=" + day.plusDays(1) + "&to=" + day, null), "from");
        assertError(call("GET", "/analytics/trends?from=" + day.minusDays(366) + "&to=" + day, null), "from");
        assertError(call("GET", "/analytics/trends?from=2026-13-01", null), "from");
        assertError(call("GET", "/analytics/trends?to=tomorrow", null), "to");
        assertError(call("GET", "/analytics/trends?provider=" + encoded("s e s"), null), "provider");
        assertEquals(401, LocalCloudExtension.get("/analytics/trends").statusCode());
    }

    // ------------------------------------------------------------------ expectations

    private static String counter(String type) {
        return switch (type) {
            case "soft_bounced" -> "softBounced";
            default -> type;
        };
    }

    private static List<String> iterate(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    /** Every engagement counter (and its unique count) and sent exactly as expected, and the rates from them. */
    private static void assertCampaignCounts(Map<String, Long> expected, JsonNode counts, JsonNode rates) {
        String context = "expected " + expected + " in " + counts;
        assertEquals(expected.getOrDefault("sent", 0L), count(counts, "sent"), context);
        for (String name : CAMPAIGN_COUNTERS) {
            String unique = "unique" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
            assertEquals(expected.getOrDefault(name, 0L), count(counts, name), name + ": " + context);
            assertEquals(expected.getOrDefault(unique, 0L), count(counts, unique), unique + ": " + context);
        }
        long sent = expected.getOrDefault("sent", 0L);
        long reported = expected.getOrDefault("delivered", 0L);
        long delivered = reported > 0 ? reported
                : Math.max(0, sent - expected.getOrDefault("bounced", 0L) - expected.getOrDefault("softBounced", 0L));
        long opened = expected.getOrDefault("uniqueOpened", 0L);
        long clicked = expected.getOrDefault("uniqueClicked", 0L);
        assertEquals(ratio(reported, sent), rates.get("deliveryRate").asDouble(), 1e-12, context);
        assertEquals(ratio(opened, delivered), rates.get("openRate").asDouble(), 1e-12, context);
        assertEquals(ratio(clicked, delivered), rates.get("clickRate").asDouble(), 1e-12, context);
        assertEquals(ratio(clicked, opened), rates.get("clickToOpenRate").asDouble(), 1e-12, context);
        assertEquals(ratio(expected.getOrDefault("bounced", 0L) + expected.getOrDefault("softBounced", 0L), sent),
                rates.get("bounceRate").asDouble(), 1e-12, context);
        assertEquals(ratio(expected.getOrDefault("complained", 0L), delivered), rates.get("complaintRate").asDouble(), 1e-12, context);
        assertEquals(ratio(expected.getOrDefault("unsubscribed", 0L), delivered), rates.get("unsubscribeRate").asDouble(), 1e-12, context);
    }
}
