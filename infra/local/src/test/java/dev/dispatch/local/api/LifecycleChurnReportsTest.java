package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.local.LocalCloudExtension;
import java.io.StringReader;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The lifecycle and churn reports end to end: events through POST /engagement/track -> EngagementQueue ->
 * apply-engagement (which keeps the lifecycle aggregate), read back by the report function. The lifecycle aggregate
 * is shared by every test of the cloud, so the lifecycle report is compared before and after this test's events,
 * once the engagement queue has drained: an event an earlier test queued (a webhook fixture, a retried record)
 * would otherwise be applied in between and move the counts too.
 */
@ExtendWith(LocalCloudExtension.class)
class LifecycleChurnReportsTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    private final String period = "/reports/lifecycle?from=" + today.minusDays(100) + "&to=" + today.plusDays(100);

    private static HttpResponse<String> report(String path, String accept) {
        return LocalCloudExtension.send(LocalCloudExtension.request(path)
                .header("Authorization", "Bearer " + LocalCloudExtension.devApiKey())
                .header("Accept", accept).GET().build());
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return json(response);
    }

    private String address(String local) {
        return local + "-" + run + "@example.com";
    }

    private Instant daysAgo(int days) {
        return now.minus(Duration.ofDays(days));
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    /** Tracks one event and waits until it is applied: one at a time, so each subscriber's events apply in order. */
    private void track(String email, String type, Instant at) throws InterruptedException {
        String id = type + "-" + at.getEpochSecond() + "-" + run;
        HttpResponse<String> accepted = call("POST", "/engagement/track", "[{\"id\":\"" + id + "\",\"type\":\"" + type
                + "\",\"email\":\"" + email + "\",\"timestamp\":\"" + at + "\"}]");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String path = "/analytics/subscriber/" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "/history?limit=200";
        for (long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos(); System.nanoTime() < deadline; ) {
            HttpResponse<String> history = call("GET", path, null);
            if (history.statusCode() == 200) {
                for (JsonNode event : json(history).get("events")) {
                    if (Instant.parse(event.get("occurredAt").asText()).equals(at) && event.get("applied").asBoolean()) {
                        return;
                    }
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the " + type + " of " + email + " was not applied in time");
    }

    /** Waits until no engagement event is queued or being applied (ElasticMQ's counts are exact). */
    private static void awaitEngagementQueueDrained() throws InterruptedException {
        var aws = LocalCloudExtension.localAws();
        String queue = aws.resources().queueUrl("EngagementQueue");
        int quietChecks = 0;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos(); System.nanoTime() < deadline; ) {
            Map<QueueAttributeName, String> counts = aws.sqs()
                    .getQueueAttributes(b -> b.queueUrl(queue).attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                    .attributes();
            boolean empty = counts.values().stream().allMatch("0"::equals);
            quietChecks = empty ? quietChecks + 1 : 0;
            if (quietChecks == 3) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the engagement queue did not drain: other tests' events are still being applied");
    }

    /** Every (day, move) count of the lifecycle report over the period. */
    private Map<String, Long> moves() {
        Map<String, Long> moves = new TreeMap<>();
        for (JsonNode day : ok(report(period, "application/json")).get("days")) {
            day.get("moves").fields().forEachRemaining(m -> moves.put(day.get("day").asText() + " " + m.getKey(), m.getValue().asLong()));
        }
        return moves;
    }

    private static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> diff = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                diff.put(k, d);
            }
        });
        before.forEach((k, v) -> diff.putIfAbsent(k, after.containsKey(k) ? 0L : -v));
        diff.values().removeIf(v -> v == 0);
        return diff;
    }

    private static JsonNode dayOf(JsonNode report, LocalDate day) {
        for (JsonNode d : report.get("days")) {
            if (d.get("day").asText().equals(day.toString())) {
                return d;
            }
        }
        throw new AssertionError("no day " + day + " in " + report);
    }

    @Test
    void givenEngagementThroughTheTrackPath_thenTheLifecycleReportCountsStagesAndMovesAndTheChurnReportRanksTheSegment()
            throws Exception {
        String segment = "churn-" + run;
        String loyal = address("loyal");
        String gone = address("gone");
        String newbie = address("newbie");
        String never = address("never");
        for (String email : List.of(loyal, gone, newbie, never)) {
            HttpResponse<String> created = call("POST", "/subscribers", "{\"email\":\"" + email + "\",\"segments\":[\"" + segment + "\"]}");
            assertEquals(201, created.statusCode(), created.body());
        }
        awaitEngagementQueueDrained();
        Map<String, Long> before = moves();
        JsonNode beforeReport = ok(report(period, "application/json"));

        track(gone, "opened", daysAgo(80));
        track(newbie, "delivered", daysAgo(5));
        for (int ago : List.of(20, 10, 2)) {
            track(loyal, "opened", daysAgo(ago));
        }

        // By the stage rules: active within 30 days of the last open, at risk within 90, dormant after; new within
        // 30 days of the first event seen without an open.
        Map<String, Long> expected = new TreeMap<>();
        expected.merge(day(daysAgo(80)) + " none>active", 1L, Long::sum);
        expected.merge(day(daysAgo(80)).plusDays(30) + " active>at-risk", 1L, Long::sum);
        expected.merge(day(daysAgo(80)).plusDays(90) + " at-risk>dormant", 1L, Long::sum);
        expected.merge(day(daysAgo(5)) + " none>new", 1L, Long::sum);
        expected.merge(day(daysAgo(5)).plusDays(30) + " new>at-risk", 1L, Long::sum);
        expected.merge(day(daysAgo(5)).plusDays(90) + " at-risk>dormant", 1L, Long::sum);
        expected.merge(day(daysAgo(20)) + " none>active", 1L, Long::sum);
        expected.merge(day(daysAgo(2)).plusDays(30) + " active>at-risk", 1L, Long::sum);
        expected.merge(day(daysAgo(2)).plusDays(90) + " at-risk>dormant", 1L, Long::sum);
        assertEquals(expected, difference(moves(), before));

        JsonNode after = ok(report(period, "application/json"));
        JsonNode nowBefore = dayOf(beforeReport, today).get("stages");
        JsonNode nowAfter = dayOf(after, today).get("stages");
        Map<String, Long> todayDiff = new TreeMap<>();
        for (String stage : List.of("new", "active", "at-risk", "dormant")) {
            todayDiff.put(stage, nowAfter.get(stage).asLong() - nowBefore.get(stage).asLong());
        }
        assertEquals(Map.of("new", 1L, "active", 1L, "at-risk", 1L, "dormant", 0L), todayDiff, "stages at the end of today");
        assertEquals(beforeReport.get("atEnd").get("dormant").asLong() + 3, after.get("atEnd").get("dormant").asLong(),
                "with no more engagement, all three are dormant by the end of the period");
        assertTrue(dayOf(after, today.plusDays(1)).get("projected").asBoolean());

        List<CSVRecord> lifecycleCsv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(report(period, "text/csv").body())).getRecords();
        assertEquals(201, lifecycleCsv.size());
        CSVRecord todayRow = lifecycleCsv.stream().filter(r -> r.get("day").equals(today.toString())).findFirst().orElseThrow();
        assertEquals(nowAfter.get("active").asText(), todayRow.get("active"));

        // churn: the member whose only open is 80 days old ranks first; each risk follows from the model shown
        JsonNode churn = ok(report("/reports/churn?segment=" + segment + "&limit=3", "application/json"));
        assertEquals(4, churn.get("scored").asLong(), churn.toString());
        assertEquals(1, churn.get("neverSeen").asLong(), churn.toString());
        assertTrue(churn.get("complete").asBoolean());
        JsonNode atRisk = churn.get("atRisk");
        assertEquals(3, atRisk.size(), churn.toString());
        assertEquals(gone, atRisk.get(0).get("email").asText(), churn.toString());
        assertEquals("at-risk", atRisk.get(0).get("stage").asText());
        assertEquals(80, atRisk.get(0).get("features").get("recencyDays").asDouble(), 0.01);
        JsonNode model = churn.get("model");
        double previous = 1;
        for (JsonNode row : atRisk) {
            double z = model.get("intercept").asDouble();
            Iterator<Map.Entry<String, JsonNode>> features = model.get("features").fields();
            while (features.hasNext()) {
                Map.Entry<String, JsonNode> f = features.next();
                double value = row.get("features").get(f.getKey()).asDouble();
                z += f.getValue().get("coefficient").asDouble() * (value - f.getValue().get("mean").asDouble())
                        / f.getValue().get("deviation").asDouble();
            }
            assertEquals(1 / (1 + Math.exp(-z)), row.get("risk").asDouble(), 0.002, "risk recomputed from the coefficients shown");
            assertTrue(row.get("risk").asDouble() <= previous, "most at risk first");
            previous = row.get("risk").asDouble();
        }
        List<CSVRecord> churnCsv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(report("/reports/churn?segment=" + segment + "&limit=3", "text/csv").body())).getRecords();
        assertEquals(3, churnCsv.size());
        assertEquals(gone, churnCsv.get(0).get("email"));
        assertEquals(atRisk.get(0).get("risk").asText(), churnCsv.get(0).get("risk"));

        // read cost: the lifecycle report is one Query whatever the number of subscribers
        Map<String, Long> counted = ReportsApiTest.stableReportCounts();
        ok(report(period, "application/json"));
        Map<String, Long> lifecycleReads = ReportsApiTest.difference(ReportsApiTest.stableReportCountsAfter(counted), counted);
        counted = ReportsApiTest.stableReportCounts();
        ok(report("/reports/churn?segment=" + segment, "application/json"));
        Map<String, Long> churnReads = ReportsApiTest.difference(ReportsApiTest.stableReportCountsAfter(counted), counted);
        System.out.println("lifecycle report DynamoDB calls: " + lifecycleReads + "; churn report of 4 members: " + churnReads);
        assertEquals(Map.of("DynamoDb.Query.calls", 1L), lifecycleReads);
        // the subscriber counters (to tell an unknown segment), one page of members; profiles, suppressions, states
        assertEquals(Map.of("DynamoDb.Query.calls", 2L, "DynamoDb.BatchGetItem.calls", 3L), churnReads);
    }

    @Test
    void badInputIsRefusedNamingTheParameter() {
        assertField(report("/reports/churn", "application/json"), 400, "segment");
        assertField(report("/reports/churn?segment=not%20a%20name", "application/json"), 400, "segment");
        String segment = "churn-bad-" + run;
        assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + address("bad") + "\",\"segments\":[\"" + segment + "\"]}").statusCode());
        assertField(report("/reports/churn?segment=" + segment + "&limit=0", "application/json"), 400, "limit");
        assertField(report("/reports/churn?segment=" + segment + "&limit=501", "application/json"), 400, "limit");
        assertField(report("/reports/churn?segment=" + segment + "&limit=ten", "application/json"), 400, "limit");
        HttpResponse<String> unknown = report("/reports/churn?segment=nobody-" + run, "application/json");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(json(unknown).get("error").asText().contains("nobody-" + run), unknown.body());
        assertField(report("/reports/lifecycle?from=2026-02-30", "application/json"), 400, "from");
        assertField(report("/reports/lifecycle?from=2025-01-01&to=2026-06-01", "application/json"), 400, "from");
        assertEquals(401, LocalCloudExtension.send(LocalCloudExtension.request("/reports/churn?segment=" + segment)
                .GET().build()).statusCode());
        assertEquals(401, LocalCloudExtension.send(LocalCloudExtension.request("/reports/lifecycle").GET().build()).statusCode());
    }

    private static void assertField(HttpResponse<String> response, int status, String field) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(field, json(response).get("field").asText(), response.body());
        assertTrue(!json(response).get("error").asText().isBlank(), response.body());
    }
}
