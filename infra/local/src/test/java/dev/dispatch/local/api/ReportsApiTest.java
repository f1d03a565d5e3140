package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.local.LocalCloud;
import dev.dispatch.local.LocalCloudExtension;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The report function through the local HTTP API: its figures equal the api's, CSV, the API key, bad input, and
 * what a campaign report costs in DynamoDB reads (counted by AwsCallCounter in the report function's process) at
 * 1,000 and at 1,000,000 recipients.
 */
@ExtendWith(LocalCloudExtension.class)
class ReportsApiTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);

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

    private String draftCampaign(String segment) {
        HttpResponse<String> created = call("POST", "/campaigns", "{\"name\":\"Report " + run + "\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"variants\":[{\"id\":\"A\",\"percent\":50},{\"id\":\"B\",\"percent\":50}],"
                + "\"providers\":[\"ses\"]}");
        assertEquals(201, created.statusCode(), created.body());
        return json(created).get("id").asText();
    }

    /** Three Gmail addresses, two iCloud ones (me.com), one elsewhere: the report's recipient domains. */
    private static final Map<String, String> DOMAIN_OF = Map.of("ada", "gmail.com", "bob", "googlemail.com", "cyd", "gmail.com",
            "dan", "me.com", "eve", "icloud.com", "fay", "example.com");

    @Test
    void givenASentCampaign_thenItsReportShowsTheApiStatsFiguresAsJsonAndCsv() throws Exception {
        String segment = "report-" + run;
        Map<String, String> email = new HashMap<>();
        for (String name : List.of("ada", "bob", "cyd", "dan", "eve", "fay")) {
            email.put(name, name + "-" + run + "@" + DOMAIN_OF.get(name));
            assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + email.get(name) + "\",\"segments\":[\"" + segment + "\"]}").statusCode());
        }
        String id = draftCampaign(segment);
        assertEquals(200, call("POST", "/campaigns/" + id + "/send", null).statusCode());
        JsonNode campaign = null;
        for (int i = 0; i < 120; i++) {
            campaign = json(call("GET", "/campaigns/" + id, null));
            if ("sent".equals(campaign.get("status").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("sent", campaign.get("status").asText(), campaign.toString());

        JsonNode stats = ok(call("GET", "/campaigns/" + id + "/stats", null));
        JsonNode report = ok(report("/reports/campaign?campaign=" + id, "application/json"));
        assertEquals(6, stats.get("counts").get("sent").asInt(), stats.toString());
        for (String field : List.of("id", "status", "counts", "routes", "sentRate", "rates", "variants")) {
            assertEquals(stats.get(field), report.get(field), field);
        }
        assertEquals(6, stats.get("providers").get("ses").get("sent").asInt(), stats.toString());
        stats.get("providers").fieldNames().forEachRemaining(p ->
                assertEquals(stats.get("providers").get(p), report.get("providers").get(p).get("counts"), p));
        assertEquals(6, report.get("progress").get("processed").asInt(), report.toString());
        assertEquals(1.0, report.get("progress").get("complete").asDouble());
        assertTrue(report.get("recommendations").isArray(), report.toString());

        HttpResponse<String> csv = report("/reports/campaign?campaign=" + id, "text/csv");
        assertEquals(200, csv.statusCode(), csv.body());
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"), csv.headers().toString());
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv.body())).getRecords();
        assertEquals(List.of("campaign", "variant", "variant", "provider", "domain", "domain", "domain"),
                rows.stream().map(r -> r.get("scope")).toList(), csv.body());
        assertEquals(id, rows.get(0).get("name"));
        assertEquals("6", rows.get(0).get("sent"));
        assertEquals(stats.get("rates").get("deliveryRate").asDouble(), Double.parseDouble(rows.get(0).get("deliveryRate")));
        assertEquals(6, Long.parseLong(rows.get(1).get("sent")) + Long.parseLong(rows.get(2).get("sent")), csv.body());

        // Per recipient domain, grouped by mailbox operator, most sent first: what send-batch counted...
        assertEquals(List.of("gmail.com", "icloud.com", "other"), names(report.get("domains")), report.toString());
        assertEquals(3, report.get("domains").get("gmail.com").get("counts").get("sent").asInt(), report.toString());
        assertEquals(2, report.get("domains").get("icloud.com").get("counts").get("sent").asInt(), report.toString());
        assertEquals(0.5, report.get("domains").get("gmail.com").get("rates").get("shareOfSent").asDouble(), 1e-12);
        assertEquals(stats.get("domains").get("gmail.com"), report.get("domains").get("gmail.com").get("counts"));
        assertFalse(csv.body().contains(run), "no address in the CSV: " + csv.body());
        // ...then what providers reported through the webhook and apply-engagement applied: deliveries, an open, a
        // bounce - each once, though the request is posted twice
        String events = "[" + String.join(",",
                generic("d1", "delivered", email.get("ada"), id), generic("d2", "delivered", email.get("bob"), id),
                generic("d3", "delivered", email.get("cyd"), id), generic("o1", "opened", email.get("ada"), id),
                generic("o2", "opened", email.get("ada"), id), generic("d4", "delivered", email.get("eve"), id),
                generic("b1", "bounced", email.get("dan"), id)) + "]";
        for (int copy = 0; copy < 2; copy++) {
            long t = LocalCloudExtension.WEBHOOK_VERIFY_AT.getEpochSecond(); // the test cloud's fixed verification clock
            HttpResponse<String> posted = LocalCloudExtension.send(LocalCloudExtension.request("/webhooks/generic")
                    .header("Content-Type", "application/json").header("X-Dispatch-Signature", genericSignature(t, events))
                    .POST(HttpRequest.BodyPublishers.ofString(events)).build());
            assertTrue(posted.statusCode() / 100 == 2, posted.statusCode() + " " + posted.body());
        }
        JsonNode domains = null;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); System.nanoTime() < deadline; ) {
            domains = ok(report("/reports/campaign?campaign=" + id, "application/json")).get("domains");
            if (domains.get("icloud.com").get("counts").path("bounced").asLong() == 1
                    && domains.get("gmail.com").get("counts").path("opened").asLong() == 2) {
                break;
            }
            Thread.sleep(500);
        }
        Thread.sleep(3000); // the copy of the request has been applied (or dropped) by now: the counts stay
        JsonNode after = ok(report("/reports/campaign?campaign=" + id, "application/json"));
        domains = after.get("domains");
        JsonNode gmail = domains.get("gmail.com");
        assertEquals(3, gmail.get("counts").get("delivered").asInt(), domains.toString());
        assertEquals(2, gmail.get("counts").get("opened").asInt(), domains.toString());
        assertEquals(1, gmail.get("counts").get("uniqueOpened").asInt(), domains.toString());
        assertEquals(1.0 / 3, gmail.get("rates").get("openRate").asDouble(), 1e-12);
        assertEquals(1.0, gmail.get("rates").get("deliveryRate").asDouble(), 1e-12);
        JsonNode icloud = domains.get("icloud.com");
        assertEquals(1, icloud.get("counts").get("bounced").asInt(), domains.toString());
        assertEquals(1, icloud.get("counts").get("delivered").asInt(), domains.toString());
        assertEquals(0.5, icloud.get("rates").get("bounceRate").asDouble(), 1e-12);
        assertEquals(4, after.get("counts").get("delivered").asInt(), after.toString());
        assertEquals(1, after.get("counts").get("bounced").asInt(), after.toString());
        List<CSVRecord> domainRows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(report("/reports/campaign?campaign=" + id, "text/csv").body())).getRecords().stream()
                .filter(r -> r.get("scope").equals("domain")).toList();
        assertEquals("icloud.com", domainRows.get(1).get("name"));
        assertEquals("1", domainRows.get(1).get("bounced"));
        assertEquals(0.5, Double.parseDouble(domainRows.get(1).get("bounceRate")), 1e-12);
        // send-batch's SES calls of this campaign (and of any other test today) in today's provider comparison: the
        // latency figures exist and agree with their histogram.
        JsonNode providers = ok(report("/reports/providers", "application/json"));
        JsonNode ses = null;
        for (JsonNode p : providers.get("providers")) {
            ses = p.get("provider").asText().equals("ses") ? p : ses;
        }
        assertTrue(ses != null, providers.toString());
        JsonNode latency = ses.get("latency");
        assertTrue(latency.get("calls").asLong() >= 1, latency.toString());
        long inBuckets = 0;
        for (JsonNode n : latency.get("buckets")) {
            inBuckets += n.asLong();
        }
        assertEquals(latency.get("calls").asLong(), inBuckets, latency.toString());
        for (String figure : List.of("meanMs", "p50Ms", "p95Ms")) {
            assertTrue(latency.get(figure).isNumber() && latency.get(figure).asDouble() >= 0, figure + " " + latency);
        }
        assertTrue(latency.get("p50Ms").asDouble() <= latency.get("p95Ms").asDouble(), latency.toString());
        assertTrue(ses.get("failovers").isIntegralNumber() && ses.get("failoversByDay").size() == 30, ses.toString());
        assertEquals(8, providers.get("latencyBucketsMs").size(), providers.toString());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** One event in the platform's generic webhook format, for this campaign. */
    private static String generic(String id, String type, String email, String campaign) {
        return "{\"id\":\"" + id + "-" + campaign + "\",\"type\":\"" + type + "\",\"email\":\"" + email
                + "\",\"timestamp\":\"" + java.time.Instant.now() + "\",\"campaignId\":\"" + campaign + "\"}";
    }

    /** {@code X-Dispatch-Signature} for a body signed at unix time {@code t}, as a sender computes it. */
    private static String genericSignature(long t, String body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(LocalCloudExtension.WEBHOOK_GENERIC_SECRET.getBytes(
                java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + java.util.HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(
                java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void givenProviderDailyStats_thenTheProviderAndTrendReportsShowTheApiTrendsFigures(LocalCloud cloud) {
        // Two providers of this run, on two days far in the past so that no other test's sends mix in.
        String ses = "rs" + run;
        String pm = "rp" + run;
        LocalDate d1 = LocalDate.of(2020, 3, 1);
        writeStats(cloud, d1, ses, Map.of("sent", 1000L, "delivered", 990L, "opened", 200L, "bounced", 10L, "complained", 1L));
        writeStats(cloud, d1.plusDays(1), ses, Map.of("sent", 3000L, "delivered", 2900L, "opened", 500L, "clicked", 50L, "bounced", 100L));
        writeStats(cloud, d1, pm, Map.of("sent", 500L, "delivered", 500L, "opened", 150L));
        String period = "from=" + d1 + "&to=" + d1.plusDays(2);

        JsonNode trends = ok(call("GET", "/analytics/trends?" + period, null));
        JsonNode providers = ok(report("/reports/providers?" + period, "application/json"));
        Map<String, JsonNode> byName = new HashMap<>();
        providers.get("providers").forEach(p -> byName.put(p.get("provider").asText(), p));
        for (String provider : List.of(ses, pm)) {
            JsonNode api = trends.get("providers").get(provider);
            assertEquals(api.get("counts"), byName.get(provider).get("counts"), provider);
            assertEquals(api.get("rates"), byName.get(provider).get("rates"), provider);
        }
        assertEquals(4000, byName.get(ses).get("sent").asLong());
        assertEquals(4000.0 / 4500, byName.get(ses).get("share").asDouble(), 1e-12);
        assertTrue(byName.get(pm).get("estimatedCost").isNull(), "no price configured for " + pm);
        // provider selection's reputation formula over the period: 80 - 400 x 110/4000 - 20000 x 1/3890 + 50 x 700/3890
        assertEquals(72.9, byName.get(ses).get("reputation").get("score").asDouble(), 1e-9, byName.get(ses).toString());
        assertEquals(95.0, byName.get(pm).get("reputation").get("score").asDouble(), 1e-9, byName.get(pm).toString());
        assertFalse(byName.get(pm).get("reputation").get("neutral").asBoolean(), byName.get(pm).toString());

        JsonNode series = ok(report("/reports/trends?" + period + "&provider=" + ses + "&metric=sent", "application/json"));
        assertEquals(List.of(1000.0, 3000.0, 0.0), values(series.get("days")));
        assertEquals(7, series.get("forecast").size());
        JsonNode first = series.get("forecast").get(0);
        assertTrue(first.get("low").asDouble() <= first.get("value").asDouble()
                && first.get("value").asDouble() <= first.get("high").asDouble(), first.toString());
        assertEquals(d1.plusDays(3).toString(), first.get("day").asText());

        HttpResponse<String> csv = report("/reports/providers?" + period, "text/csv");
        assertEquals(200, csv.statusCode(), csv.body());
        assertTrue(csv.body().startsWith("provider,share,sent,"), csv.body());
        assertTrue(csv.body().contains("\r\n" + ses + ",0.8888888888888888,4000,3890,"), csv.body());
        assertTrue(csv.body().contains(",reputation,pricePerThousand,estimatedCost,calls,latencyMeanMs,latencyP50Ms,"
                + "latencyP95Ms,failovers\r\n"), csv.body());
        // no provider calls recorded on those days: no latency figures, no failovers
        assertTrue(csv.body().contains(",72.9,,,0,,,,0\r\n"), csv.body());
        assertEquals(0, byName.get(ses).get("latency").get("calls").asLong(), byName.get(ses).toString());
        assertTrue(byName.get(ses).get("latency").get("p95Ms").isNull(), byName.get(ses).toString());
    }

    @Test
    void withoutTheKeyEveryReportRouteIsRefused() {
        for (String path : List.of("/reports/campaign?campaign=x", "/reports/providers", "/reports/trends", "/reports/nope",
                "/reports/status", "/reports/warming")) {
            HttpResponse<String> none = LocalCloudExtension.get(path);
            assertEquals(401, none.statusCode(), path + ": " + none.body());
            HttpResponse<String> wrong = LocalCloudExtension.send(LocalCloudExtension.request(path)
                    .header("Authorization", "Bearer not-the-key").GET().build());
            assertEquals(401, wrong.statusCode(), path + ": " + wrong.body());
            assertEquals("unauthorized", json(wrong).get("error").asText(), wrong.body());
            assertTrue(!wrong.body().contains("\"counts\""), wrong.body());
        }
    }

    /** The dashboard's page without a session is the login page: no figures, no script that fetches them. */
    @Test
    void withoutTheKeyTheDashboardIsTheLoginPageUnderAStrictContentSecurityPolicy() {
        HttpResponse<String> page = LocalCloudExtension.get("/dashboard");
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("action=\"/dashboard/login\"") && !page.body().contains("dashboard.js"), page.body());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"),
                page.headers().toString());
        HttpResponse<String> wrong = LocalCloudExtension.send(LocalCloudExtension.request("/dashboard/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("key=not-the-key")).build());
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty(), wrong.headers().toString());
        HttpResponse<String> forged = LocalCloudExtension.send(LocalCloudExtension.request("/reports/status")
                .header("Cookie", "dispatch_session=v1.9999999999.AAAA").GET().build());
        assertEquals(401, forged.statusCode(), forged.body());
        HttpResponse<String> right = LocalCloudExtension.send(LocalCloudExtension.request("/dashboard/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("key=" + LocalCloudExtension.devApiKey())).build());
        assertEquals(303, right.statusCode(), right.body());
        String cookie = right.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie.startsWith("dispatch_session=v1.") && cookie.contains("HttpOnly") && cookie.contains("Secure")
                && cookie.contains("SameSite=Strict"), cookie);
        HttpResponse<String> withSession = LocalCloudExtension.send(LocalCloudExtension.request("/reports/status")
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).GET().build());
        assertEquals(200, withSession.statusCode(), withSession.body());
        HttpResponse<String> asset = LocalCloudExtension.get("/dashboard/assets/uPlot.iife.min.js");
        assertEquals(200, asset.statusCode());
        assertTrue(asset.body().contains("uPlot"), "the chart library is served from the function");
        // Only the listed assets are open; anything else under /dashboard needs the key like every route.
        assertEquals(401, LocalCloudExtension.get("/dashboard/assets/secret.txt").statusCode());
        assertEquals(404, report("/dashboard/assets/secret.txt", "application/json").statusCode());
    }

    /** The dashboard's system and warming views are the api's own views (the same domain code), read by the report function. */
    @Test
    void theStatusAndWarmingReportsShowTheApisSystemViews() {
        JsonNode warming = ok(report("/reports/warming", "application/json"));
        assertEquals(json(call("GET", "/system/warming", null)), warming);
        JsonNode status = ok(report("/reports/status", "application/json"));
        JsonNode api = json(call("GET", "/system/status", null));
        assertEquals(api.get("providers").size(), status.get("providers").size(), status.toString());
        api.get("providers").fieldNames().forEachRemaining(p -> assertEquals(
                api.get("providers").get(p).get("pacing").get("dailyQuota"), status.get("providers").get(p).get("pacing").get("dailyQuota"), p));
        List<String> queues = new java.util.ArrayList<>();
        status.get("queues").forEach(q -> queues.add(q.get("name").asText()));
        assertEquals(List.of("enqueue", "enqueue-dead-letter", "send", "send-dead-letter", "engagement", "engagement-dead-letter"), queues);
    }

    @Test
    void badInputIsRefusedNamingTheParameter() {
        HttpResponse<String> unknown = report("/reports/nope", "application/json");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(json(unknown).get("error").asText().contains("campaign, providers, trends"), unknown.body());

        assertField(report("/reports/campaign", "application/json"), 400, "campaign");
        HttpResponse<String> noCampaign = report("/reports/campaign?campaign=no-such-" + run, "application/json");
        assertEquals(404, noCampaign.statusCode(), noCampaign.body());
        assertTrue(json(noCampaign).get("error").asText().startsWith("campaign: no campaign with id no-such-"), noCampaign.body());

        assertField(report("/reports/providers?from=2026-02-30", "application/json"), 400, "from");
        assertField(report("/reports/trends?to=yesterday", "application/json"), 400, "to");
        assertField(report("/reports/providers?from=2025-01-01&to=2026-06-01", "application/json"), 400, "from");
        assertField(report("/reports/trends?from=2026-02-01&to=2026-01-01", "application/json"), 400, "from");
        assertField(report("/reports/trends?metric=revenue", "application/json"), 400, "metric");
        assertField(report("/reports/trends?provider=A%20B", "application/json"), 400, "provider");
    }

    private static void assertField(HttpResponse<String> response, int status, String field) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(field, json(response).get("field").asText(), response.body());
        assertTrue(!json(response).get("error").asText().isBlank(), response.body());
    }

    /**
     * The read cost of a campaign report does not grow with the audience: counters written directly for campaigns of
     * 1,000 and 1,000,000 recipients (two variants, every counter the pipeline keeps), and each report's DynamoDB
     * calls counted in the report function's process.
     */
    @Test
    void aCampaignReportCostsTheSameReadsAtAThousandAndAtAMillionRecipients(LocalCloud cloud) throws Exception {
        Map<Long, Map<String, Long>> readsByAudience = new LinkedHashMap<>();
        for (long recipients : List.of(1_000L, 1_000_000L)) {
            String id = draftCampaign("cost-" + run);
            writeCampaignCounters(cloud, id, recipients);
            ok(report("/reports/campaign?campaign=" + id, "application/json")); // warm: the first call may cold-start
            Map<String, Long> before = stableReportCounts();
            JsonNode body = ok(report("/reports/campaign?campaign=" + id, "application/json"));
            Map<String, Long> reads = difference(stableReportCountsAfter(before), before);
            assertEquals(recipients, body.get("counts").get("recipients").asLong(), body.toString());
            assertEquals(recipients, body.get("progress").get("processed").asLong(), body.toString());
            // the per-domain breakdown comes with the counters it is kept beside: no read of its own
            assertEquals(List.of("gmail.com", "outlook.com", "other", "yahoo.com"), names(body.get("domains")), body.toString());
            assertEquals(0.05, body.get("domains").get("yahoo.com").get("rates").get("bounceRate").asDouble(), 1e-12);
            JsonNode domainBounces = null;
            for (JsonNode r : body.get("recommendations")) {
                if (r.get("kind").asText().equals("domain-bounces")) {
                    domainBounces = r;
                }
            }
            assertTrue(domainBounces != null, body.get("recommendations").toString());
            assertEquals("yahoo.com", domainBounces.get("figures").get("domain").asText());
            assertEquals(recipients / 100, domainBounces.get("figures").get("campaignBounced").asLong());
            readsByAudience.put(recipients, reads);
        }
        Map<String, Long> small = readsByAudience.get(1_000L);
        System.out.println("campaign report DynamoDB calls (per operation) at 1,000 and 1,000,000 recipients: " + readsByAudience);
        assertEquals(small, readsByAudience.get(1_000_000L));
        // The campaign item twice (definition, counters) and one Query of the sender's 30 days of daily statistics.
        assertEquals(Map.of("DynamoDb.GetItem.calls", 2L, "DynamoDb.Query.calls", 1L), small);
    }

    // ------------------------------------------------------------------ helpers

    private static List<Double> values(JsonNode days) {
        return java.util.stream.StreamSupport.stream(days.spliterator(), false).map(d -> d.get("value").asDouble()).toList();
    }

    private static void writeStats(LocalCloud cloud, LocalDate day, String provider, Map<String, Long> counts) {
        add(cloud, "CountersTable", Map.of("pk", AttributeValue.fromS("delivery-stats"), "sk", AttributeValue.fromS(day + "#" + provider)), counts);
    }

    /** What the pipeline would have counted for a finished campaign of {@code recipients}, split over variants A and B. */
    private static void writeCampaignCounters(LocalCloud cloud, String id, long recipients) {
        long half = recipients / 2;
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String v : List.of("A", "B")) {
            counts.put("variant." + v + ".sent", half);
            counts.put("variant." + v + ".delivered", half * 98 / 100);
            counts.put("variant." + v + ".uniqueOpened", half * (v.equals("A") ? 20 : 22) / 100);
            counts.put("variant." + v + ".uniqueClicked", half / 25);
        }
        counts.putAll(Map.of("recipients", recipients, "sent", recipients, "delivered", recipients * 98 / 100,
                "opened", recipients * 30 / 100, "uniqueOpened", recipients * 21 / 100, "clicked", recipients / 20,
                "uniqueClicked", recipients / 25, "bounced", recipients / 100, "complained", recipients / 5000,
                "unsubscribed", recipients / 1000));
        // per recipient domain: half to Gmail, a quarter to Outlook, a tenth to Yahoo (5 % bounced: 5 times the
        // campaign's 1 %), the rest elsewhere; Gmail has the campaign's other bounces
        for (Map.Entry<String, Long> d : Map.of("gmail.com", recipients / 2, "outlook.com", recipients / 4,
                "yahoo.com", recipients / 10, "other", recipients * 15 / 100).entrySet()) {
            long sent = d.getValue();
            long bounced = d.getKey().equals("yahoo.com") ? sent * 5 / 100
                    : d.getKey().equals("gmail.com") ? recipients / 100 - recipients / 10 * 5 / 100 : 0;
            counts.put("domain." + d.getKey() + ".sent", sent);
            counts.put("domain." + d.getKey() + ".bounced", bounced);
            counts.put("domain." + d.getKey() + ".delivered", sent - bounced);
            counts.put("domain." + d.getKey() + ".uniqueOpened", sent / 5);
        }
        add(cloud, "CampaignsTable", Map.of("id", AttributeValue.fromS(id)), counts);
    }

    /** ADD to {@code n_<name>} attributes, as DynamoDbCampaignStore and DynamoDbDeliveryStats keep counters. */
    private static void add(LocalCloud cloud, String table, Map<String, AttributeValue> key, Map<String, Long> counts) {
        StringBuilder expression = new StringBuilder("ADD ");
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            expression.append(i == 0 ? "" : ", ").append("#n").append(i).append(" :v").append(i);
            names.put("#n" + i, "n_" + e.getKey());
            values.put(":v" + i, AttributeValue.fromN(Long.toString(e.getValue())));
            i++;
        }
        cloud.localAws().dynamoDb().updateItem(b -> b.tableName(cloud.localAws().resources().tableName(table)).key(key)
                .updateExpression(expression.toString()).expressionAttributeNames(names).expressionAttributeValues(values));
    }

    /** The report function's DynamoDB call counts (all its processes), once they stopped changing. */
    static Map<String, Long> stableReportCounts() throws Exception {
        Map<String, Long> last = reportCounts();
        for (long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos(); System.nanoTime() < deadline; ) {
            Thread.sleep(1200); // the counter writes its file every 0.5 s
            Map<String, Long> now = reportCounts();
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the report function's call counts kept changing: " + last);
    }

    static Map<String, Long> stableReportCountsAfter(Map<String, Long> before) throws Exception {
        for (long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos(); System.nanoTime() < deadline; ) {
            if (!reportCounts().equals(before)) {
                return stableReportCounts();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the report function counted no call (is " + LocalCloudExtension.AWS_CALL_COUNTS_ENV + " set?)");
    }

    private static Map<String, Long> reportCounts() throws IOException {
        Map<String, Long> sum = new HashMap<>();
        Path dir = LocalCloudExtension.awsCallCountsDir();
        if (!Files.isDirectory(dir)) {
            return sum;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*-report-*.counts")) {
            for (Path file : files) {
                Properties counts = new Properties();
                try (var reader = Files.newBufferedReader(file)) {
                    counts.load(reader);
                }
                counts.forEach((k, v) -> {
                    String key = (String) k;
                    if (key.startsWith("DynamoDb.") && key.endsWith(".calls")) {
                        sum.merge(key, Long.parseLong((String) v), Long::sum);
                    }
                });
            }
        }
        return sum;
    }

    static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> out = new HashMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }
}
