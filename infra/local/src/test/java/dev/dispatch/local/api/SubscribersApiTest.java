package dev.dispatch.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.emulators.LocalAws;
import dev.dispatch.local.LocalCloudExtension;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Every subscriber route through the HTTP API of the local cloud: API Gateway v2 events into the packaged api
 * function.zip, running in the Lambda runtime interface client, on dynalite tables created from template.yaml.
 */
@ExtendWith(LocalCloudExtension.class)
class SubscribersApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private String email(String local) {
        return local + "-" + run + "@Example.COM";
    }

    private String stored(String local) {
        return local + "-" + run + "@example.com";
    }

    private static String path(String email) {
        return "/subscribers/" + URLEncoder.encode(email, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> call(String method, String path, String contentType, String body) {
        HttpRequest.Builder request = LocalCloudExtension.request(path)
                .header("Authorization", "Bearer " + LocalCloudExtension.devApiKey());
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return LocalCloudExtension.send(request.build());
    }

    private static HttpResponse<String> json(String method, String path, String body) {
        return call(method, path, "application/json", body);
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String field) {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = parse(response);
        assertTrue(body.hasNonNull("error"), response.body());
        if (field != null) {
            assertEquals(field, body.path("field").asText(null), response.body());
        }
    }

    @Test
    void givenNoOrWrongKey_thenEveryProtectedRouteIs401WithoutDetail_andHealthAndDocsAreOpen() {
        for (String route : List.of("/subscribers/stats", path(email("x")), "/subscribers/segment/news")) {
            HttpResponse<String> missing = LocalCloudExtension.send(LocalCloudExtension.request(route).GET().build());
            assertEquals(401, missing.statusCode());
            assertEquals("{\"error\":\"unauthorized\"}", missing.body());
            HttpResponse<String> wrong = LocalCloudExtension.send(LocalCloudExtension.request(route)
                    .header("Authorization", "Bearer " + LocalCloudExtension.devApiKey() + "x").GET().build());
            assertEquals(401, wrong.statusCode());
        }
        HttpResponse<String> wrongPost = LocalCloudExtension.send(LocalCloudExtension.request("/subscribers")
                .header("Authorization", "Basic " + LocalCloudExtension.devApiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email("nokey") + "\"}")).build());
        assertEquals(401, wrongPost.statusCode());
        assertEquals(404, call("GET", path(email("nokey")), null, null).statusCode(), "nothing may be written without a key");

        assertEquals(200, LocalCloudExtension.send(LocalCloudExtension.request("/health").GET().build()).statusCode());
        HttpResponse<String> openapi = LocalCloudExtension.send(LocalCloudExtension.request("/openapi").GET().build());
        assertEquals(200, openapi.statusCode());
        assertTrue(openapi.body().contains("/subscribers/bulk-import"), openapi.body());
        HttpResponse<String> redirect = LocalCloudExtension.send(LocalCloudExtension.request("/docs").GET().build());
        assertEquals(302, redirect.statusCode());
        assertTrue(redirect.headers().firstValue("location").orElse("").endsWith("/docs/ui/index.html"));
        HttpResponse<String> docs = LocalCloudExtension.send(LocalCloudExtension.request("/docs/ui/index.html").GET().build());
        assertEquals(200, docs.statusCode());
        assertTrue(docs.body().toLowerCase().contains("swagger"));
    }

    @Test
    void givenASubscriber_whenAddedReadUpdatedUnsubscribedAndResubscribed_thenEachStepIsVisible() {
        HttpResponse<String> created = json("POST", "/subscribers", "{\"email\":\"" + email("ada") + "\",\"firstName\":\"Ada\","
                + "\"attributes\":{\"plan\":\"pro\",\"seats\":3},\"segments\":[\"news-" + run + "\"],\"timeZone\":\"Europe/London\",\"source\":\"signup\"}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode ada = parse(created);
        assertEquals(stored("ada"), ada.get("email").asText());
        assertEquals("active", ada.get("status").asText());

        JsonNode read = parse(call("GET", path(email("ada")), null, null));
        assertEquals("Ada", read.get("firstName").asText());
        assertEquals(3, read.get("attributes").get("seats").asInt());
        assertEquals("Europe/London", read.get("timeZone").asText());
        assertEquals("signup", read.get("source").asText());

        HttpResponse<String> updated = json("PUT", path(email("ada")), "{\"lastName\":\"Lovelace\",\"segments\":[\"vip-" + run + "\"]}");
        assertEquals(200, updated.statusCode(), updated.body());
        assertEquals("Lovelace", parse(updated).get("lastName").asText());
        assertEquals("Ada", parse(updated).get("firstName").asText());
        assertEquals("vip-" + run, parse(updated).get("segments").get(0).asText());

        HttpResponse<String> gone = call("DELETE", path(email("ada")), null, null);
        assertEquals(200, gone.statusCode());
        assertEquals("unsubscribed", parse(gone).get("status").asText());
        assertNotNull(parse(gone).get("suppressedAt"));
        assertEquals("unsubscribed", parse(call("DELETE", path(email("ada")), null, null)).get("status").asText());
        assertEquals("unsubscribed", parse(call("GET", path(email("ada")), null, null)).get("status").asText());
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("ada") + "\"}"), 409, null);

        HttpResponse<String> back = call("POST", path(email("ada")) + "/resubscribe", null, null);
        assertEquals(200, back.statusCode(), back.body());
        assertEquals("active", parse(back).get("status").asText());
    }

    @Test
    void givenBadInput_thenA4xxNamesTheFieldAndNothingIsWritten() {
        assertError(json("POST", "/subscribers", "{\"email\":\"not-an-email\"}"), 400, "email");
        assertError(json("POST", "/subscribers", "{\"firstName\":\"NoEmail\"}"), 400, "email");
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("u1") + "\",\"colour\":\"red\"}"), 400, "colour");
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("u2") + "\",\"segments\":\"news\"}"), 400, "segments");
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("u3") + "\",\"segments\":[\"bad name!\"]}"), 400, "segments");
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("u4") + "\",\"attributes\":{\"a\":{\"b\":1}}}"), 400, "attributes.a");
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("u5") + "\",\"timeZone\":\"Mars/Base\"}"), 400, "timeZone");
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("u6") + "\",\"firstName\":42}"), 400, "firstName");
        assertError(json("POST", "/subscribers", "{\"email\": "), 400, "body");
        assertError(json("POST", "/subscribers", "[1,2]"), 400, null);
        assertError(json("POST", "/subscribers", ""), 400, "body");
        assertError(json("POST", "/subscribers", "{\"email\":\"" + email("u7") + "\",\"firstName\":\"" + "x".repeat(300_000) + "\"}"), 413, "body");
        assertError(call("POST", "/subscribers", "text/plain", "hello"), 415, null);
        for (String local : List.of("u1", "u2", "u3", "u4", "u5", "u6", "u7")) {
            assertEquals(404, call("GET", path(email(local)), null, null).statusCode(), local + " must not have been written");
        }
        assertError(call("GET", "/subscribers/not-an-email", null, null), 400, "email");
        assertError(call("GET", path(email("nobody")), null, null), 404, null);
        assertError(json("PUT", path(email("nobody")), "{\"firstName\":\"X\"}"), 404, null);
        assertError(call("DELETE", path(email("nobody")), null, null), 404, null);

        json("POST", "/subscribers", "{\"email\":\"" + email("kim") + "\",\"firstName\":\"Kim\"}");
        assertError(json("PUT", path(email("kim")), "{\"email\":\"" + email("other") + "\"}"), 400, "email");
        assertError(json("PUT", path(email("kim")), "{\"status\":\"active\"}"), 400, "status");
        assertError(json("PUT", path(email("kim")), "{\"firstName\":[\"K\"]}"), 400, "firstName");
        assertEquals("Kim", parse(call("GET", path(email("kim")), null, null)).get("firstName").asText());
    }

    @Test
    void givenASegment_whenPagedWithCursors_thenEveryMemberAppearsOnce() {
        String segment = "paged-" + run;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            json("POST", "/subscribers", "{\"email\":\"" + email("p" + i) + "\",\"segments\":[\"" + segment + "\"]}");
            expected.add(stored("p" + i));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 10; pages++) {
            String query = "?limit=3" + (cursor == null ? "" : "&cursor=" + cursor);
            HttpResponse<String> page = call("GET", "/subscribers/segment/" + segment + query, null, null);
            assertEquals(200, page.statusCode(), page.body());
            parse(page).get("subscribers").forEach(s -> seen.add(s.get("email").asText()));
            JsonNode next = parse(page).get("nextCursor");
            cursor = next == null || next.isNull() ? null : next.asText();
            if (cursor == null) {
                break;
            }
        }
        assertNull(cursor);
        assertEquals(expected, seen);
        assertError(call("GET", "/subscribers/segment/" + segment + "?limit=abc", null, null), 400, "limit");
        assertError(call("GET", "/subscribers/segment/" + segment + "?limit=100000", null, null), 400, "limit");
        assertError(call("GET", "/subscribers/segment/" + segment + "?cursor=%25%25", null, null), 400, "cursor");
    }

    @Test
    void givenCsvAndJsonImports_thenRowsAreReportedImportedOnceAndSuppressionHolds() {
        String segment = "imported-" + run;
        long activeBefore = parse(call("GET", "/subscribers/stats", null, null)).get("byStatus").get("active").asLong();
        json("POST", "/subscribers", "{\"email\":\"" + email("left") + "\",\"segments\":[\"" + segment + "\"]}");
        call("DELETE", path(email("left")), null, null);

        String csv = "\uFEFFemail,firstName,segments,company\r\n"
                + email("i1") + ",One," + segment + ",\"Acme, Inc.\"\r\n"
                + "broken-address,Two," + segment + ",\r\n"
                + email("i3") + ",Three," + segment + ";vip-" + run + ",\r\n"
                + email("left") + ",Back," + segment + ",\r\n"
                + email("i5") + ",Five,\"bad segment\",\r\n";
        HttpResponse<String> first = call("POST", "/subscribers/bulk-import", "text/csv", csv);
        assertEquals(200, first.statusCode(), first.body());
        JsonNode report = parse(first);
        assertEquals(5, report.get("received").asInt());
        assertEquals(2, report.get("created").asInt());
        assertEquals(3, report.get("rejected").get(0).get("row").asInt());
        assertEquals("email", report.get("rejected").get(0).get("field").asText());
        assertEquals(6, report.get("rejected").get(1).get("row").asInt());
        assertEquals("segments", report.get("rejected").get(1).get("field").asText());
        assertEquals(5, report.get("suppressed").get(0).get("row").asInt());
        assertEquals("unsubscribed", report.get("suppressed").get(0).get("status").asText());

        JsonNode again = parse(call("POST", "/subscribers/bulk-import", "text/csv", csv));
        assertEquals(0, again.get("created").asInt());
        assertEquals(0, again.get("updated").asInt());
        assertEquals(2, again.get("unchanged").asInt());

        assertEquals("Acme, Inc.", parse(call("GET", path(email("i1")), null, null)).get("attributes").get("company").asText());
        assertEquals("unsubscribed", parse(call("GET", path(email("left")), null, null)).get("status").asText());

        JsonNode jsonReport = parse(json("POST", "/subscribers/bulk-import", "[{\"email\":\"" + email("j1") + "\",\"segments\":[\""
                + segment + "\"],\"attributes\":{\"score\":4.5}},{\"email\":\"" + email("j2") + "\",\"status\":\"active\"}]"));
        assertEquals(1, jsonReport.get("created").asInt());
        assertEquals("status", jsonReport.get("rejected").get(0).get("field").asText());

        JsonNode stats = parse(call("GET", "/subscribers/stats", null, null));
        assertEquals(3, stats.get("byStatus").get("active").asLong() - activeBefore);
        JsonNode seg = stats.get("segments").get(segment);
        assertEquals(3, seg.get("byStatus").get("active").asLong());
        assertEquals(1, seg.get("byStatus").get("unsubscribed").asLong());
        assertEquals(4, seg.get("total").asLong());

        assertError(call("POST", "/subscribers/bulk-import", "text/csv", "email\n\"never closed@example.com\n"), 400, "body");
        assertError(call("POST", "/subscribers/bulk-import", "text/csv", "name\nAda\n"), 400, "body");
        assertError(json("POST", "/subscribers/bulk-import", "{\"not\":\"a list\"}"), 400, "body");
        assertError(call("POST", "/subscribers/bulk-import", "application/xml", "<a/>"), 415, null);
        assertError(call("POST", "/subscribers/bulk-import", "text/csv", ""), 400, "body");
    }

    @Test
    void givenCaseVariantsOfOneAddress_thenOneSubscriber_shownAsFirstGiven_andAnImportRejectsTheSecondRow() {
        String segment = "case-" + run;
        HttpResponse<String> created = json("POST", "/subscribers", "{\"email\":\"Zoe.Q-" + run + "@Example.com\",\"segments\":[\"" + segment + "\"]}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("Zoe.Q-" + run + "@example.com", parse(created).get("email").asText());
        assertError(json("POST", "/subscribers", "{\"email\":\"zoe.q-" + run + "@example.com\"}"), 409, null);
        JsonNode read = parse(call("GET", path("ZOE.Q-" + run + "@EXAMPLE.COM"), null, null));
        assertEquals("Zoe.Q-" + run + "@example.com", read.get("email").asText(), "the form given is kept");

        String csv = "email,firstName,segments\n"
                + "Yan-" + run + "@example.com,Yan," + segment + "\n"
                + "yan-" + run + "@EXAMPLE.com,Yannick," + segment + "\n"
                + "zoe.q-" + run + "@example.com,Zoe," + segment + "\n";
        JsonNode report = parse(call("POST", "/subscribers/bulk-import", "text/csv", csv));
        assertEquals(1, report.get("created").asInt(), report.toString());
        assertEquals(1, report.get("updated").asInt(), "an existing subscriber in another case is updated: " + report);
        assertEquals(3, report.get("rejected").get(0).get("row").asInt(), report.toString());
        assertEquals("duplicate of row 2 in this file", report.get("rejected").get(0).get("reason").asText(), report.toString());
        assertEquals("Zoe", parse(call("GET", path("zoe.q-" + run + "@example.com"), null, null)).get("firstName").asText());
        JsonNode page = parse(call("GET", "/subscribers/segment/" + segment + "?limit=100", null, null));
        assertEquals(2, page.get("subscribers").size(), page.toString());

        call("DELETE", path("YAN-" + run + "@example.com"), null, null);
        assertEquals("unsubscribed", parse(call("GET", path("Yan-" + run + "@example.com"), null, null)).get("status").asText());
        JsonNode reimport = parse(call("POST", "/subscribers/bulk-import", "text/csv", "email\nyan-" + run + "@example.com\n"));
        assertTrue(reimport.has("suppressed"), reimport.toString());
        assertEquals("unsubscribed", reimport.get("suppressed").get(0).get("status").asText(), reimport.toString());
        assertEquals("active", parse(call("POST", path("yAn-" + run + "@example.com") + "/resubscribe", null, null)).get("status").asText());
    }

    /** A profile, membership and suppression as the earlier version wrote them: keyed by the address as given. */
    private static void writeLegacy(LocalAws aws, String address, String segment, boolean unsubscribed) {
        var r = aws.resources();
        String at = "2026-01-02T03:04:05Z";
        aws.dynamoDb().putItem(b -> b.tableName(r.tableName("SubscribersTable")).item(Map.of(
                "email", AttributeValue.fromS(address), "firstName", AttributeValue.fromS("Legacy"),
                "segments", AttributeValue.fromSs(List.of(segment)), "engagementScore", AttributeValue.fromN("0"),
                "createdAt", AttributeValue.fromS(at), "updatedAt", AttributeValue.fromS(at))));
        aws.dynamoDb().putItem(b -> b.tableName(r.tableName("SegmentMembersTable")).item(Map.of(
                "segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(address))));
        if (unsubscribed) {
            aws.dynamoDb().putItem(b -> b.tableName(r.tableName("SuppressionsTable")).item(Map.of(
                    "email", AttributeValue.fromS(address), "reason", AttributeValue.fromS("unsubscribed"),
                    "since", AttributeValue.fromS(at), "source", AttributeValue.fromS("api"))));
        }
    }

    @Test
    void givenRecordsOfTheEarlierVersion_whenMigrated_thenAReImportInAnyCaseCreatesNoSecondProfile(LocalAws aws) throws Exception {
        String segment = "legacy-" + run;
        writeLegacy(aws, "Leo-" + run + "@example.com", segment, false);
        writeLegacy(aws, "Mia-" + run + "@example.com", segment, true);
        // The earlier version also let the same person in again, in lower case:
        json("POST", "/subscribers", "{\"email\":\"mia-" + run + "@example.com\",\"lastName\":\"Again\",\"segments\":[\"" + segment + "\"]}");
        // run the migration again over what this test wrote (it ran before, for the first campaign of the test run)
        aws.dynamoDb().deleteItem(b -> b.tableName(aws.resources().tableName("CountersTable")).key(Map.of(
                "pk", AttributeValue.fromS("migration"), "sk", AttributeValue.fromS("address-identity"))));

        assertEquals(401, LocalCloudExtension.send(LocalCloudExtension.request("/admin/migrations/address-identity")
                .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        HttpResponse<String> migrated = null;
        for (int i = 0; i < 20; i++) {
            migrated = call("POST", "/admin/migrations/address-identity", null, null);
            if (migrated.statusCode() == 200) {
                break;
            }
        }
        assertEquals(200, migrated.statusCode(), migrated.body());
        assertTrue(parse(migrated).get("complete").asBoolean());

        JsonNode report = parse(call("POST", "/subscribers/bulk-import", "text/csv", "email,firstName,segments\n"
                + "leo-" + run + "@example.com,Leo," + segment + "\nMIA-" + run + "@example.com,Mia," + segment + "\n"));
        assertEquals(0, report.get("created").asInt(), report.toString());
        assertEquals(1, report.get("updated").asInt(), report.toString());
        assertEquals("unsubscribed", report.get("suppressed").get(0).get("status").asText(), "either profile's suppression is kept");
        JsonNode leo = parse(call("GET", path("LEO-" + run + "@example.com"), null, null));
        assertEquals("Leo-" + run + "@example.com", leo.get("email").asText());
        assertEquals("Leo", leo.get("firstName").asText());
        JsonNode mia = parse(call("GET", path("mia-" + run + "@example.com"), null, null));
        assertEquals("Legacy", mia.get("firstName").asText(), "the two profiles are merged");
        assertEquals("Again", mia.get("lastName").asText());
        JsonNode page = parse(call("GET", "/subscribers/segment/" + segment + "?limit=100", null, null));
        assertEquals(2, page.get("subscribers").size(), page.toString());

        var profiles = aws.dynamoDb().scan(b -> b.tableName(aws.resources().tableName("SubscribersTable"))).items().stream()
                .map(i -> i.get("email").s()).filter(e -> e.contains(run)).sorted().toList();
        assertEquals(List.of("leo-" + run + "@example.com", "mia-" + run + "@example.com"), profiles, "one profile each");
    }
}
