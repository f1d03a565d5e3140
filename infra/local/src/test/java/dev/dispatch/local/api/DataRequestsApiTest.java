package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.local.LocalCloudExtension;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Data requests end to end on the local cloud: a person who was mailed, engaged and unsubscribed is exported with
 * every kind of record, then erased; afterwards no table of the stack holds the address in any letter case, an
 * import or API add of it is refused as erased, and a profile written by a write that raced the erasure is still
 * never mailed (the keyed-hash suppression is honoured on the send path).
 */
@ExtendWith(LocalCloudExtension.class)
class DataRequestsApiTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void givenAPersonWithEveryKindOfRecord_whenExportedThenErased_thenNothingOfThemIsLeftAndTheyAreNeverMailedOrAddedAgain()
            throws Exception {
        String segment = "privacy-" + run;
        String eve = "Eve-" + run + "@Example.com"; // as given; the identity is all lower case
        String identity = eve.toLowerCase(Locale.ROOT);
        String other = "other-" + run + "@example.com";
        assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + eve + "\",\"firstName\":\"Evelyn\",\"segments\":[\"" + segment + "\"],\"attributes\":{\"city\":\"Lyon\"}}").statusCode());
        assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + other + "\",\"segments\":[\"" + segment + "\"]}").statusCode());

        String first = sendAndWait(segment, "First");
        assertEquals(1, LocalCloudExtension.sesMessagesTo(run).get("Eve-" + run + "@example.com").size());
        HttpResponse<String> tracked = call("POST", "/engagement/track", "[{\"id\":\"evt-" + run + "\",\"type\":\"opened\","
                + "\"email\":\"" + identity + "\",\"timestamp\":\"" + Instant.now() + "\",\"campaignId\":\"" + first + "\"}]");
        assertEquals(202, tracked.statusCode(), tracked.body());
        String historyPath = "/analytics/subscriber/" + enc(eve) + "/history?limit=20";
        for (int i = 0; i < 60 && json(call("GET", historyPath, null)).path("events").isEmpty(); i++) {
            Thread.sleep(500);
        }
        assertEquals(200, call("DELETE", "/subscribers/" + enc(eve), null).statusCode());

        // Export, asked in another letter case: every kind of record held.
        HttpResponse<String> exported = call("GET", "/subscribers/" + enc(identity.toUpperCase(Locale.ROOT)) + "/export", null);
        assertEquals(200, exported.statusCode(), exported.body());
        JsonNode doc = json(exported);
        assertEquals("Evelyn", doc.path("profile").path("firstName").asText(), doc.toString());
        assertEquals("Lyon", doc.path("profile").path("attributes").path("city").asText(), doc.toString());
        assertEquals(segment, doc.path("memberships").path(0).asText(), doc.toString());
        assertEquals("unsubscribed", doc.path("suppressions").path(0).path("reason").asText(), doc.toString());
        assertFalse(doc.path("engagement").isEmpty(), doc.toString());
        assertEquals("OPENED", doc.path("history").path(0).path("type").asText(), doc.toString());
        assertEquals(first, doc.path("campaignEvents").path(0).path("campaignId").asText(), doc.toString());
        assertEquals(first, doc.path("sends").path(0).path("campaignId").asText(), doc.toString());
        assertEquals("First", doc.path("sends").path(0).path("campaignName").asText(), doc.toString());
        assertEquals("SENT", doc.path("sends").path(0).path("result").path("f").asText(), doc.toString());
        assertFalse(doc.path("erased").asBoolean());

        HttpResponse<String> erased = call("POST", "/subscribers/" + enc(identity) + "/erase", null);
        assertEquals(200, erased.statusCode(), erased.body());
        JsonNode removed = json(erased).get("removed");
        assertEquals(1, removed.get("profile").asInt(), erased.body());
        assertEquals(1, removed.get("memberships").asInt(), erased.body());
        assertEquals(1, removed.get("ledgerEntries").asInt(), erased.body());
        assertEquals(200, call("POST", "/subscribers/" + enc(eve) + "/erase", null).statusCode(), "erasing again is harmless");

        // A late provider event for the erased address is dropped (sent with one for another address, in one message).
        assertEquals(202, call("POST", "/engagement/track", "[{\"id\":\"late-" + run + "\",\"type\":\"bounced\","
                + "\"email\":\"" + eve + "\",\"timestamp\":\"" + Instant.now() + "\",\"campaignId\":\"" + first + "\"},"
                + "{\"id\":\"other-" + run + "\",\"type\":\"opened\",\"email\":\"" + other + "\",\"timestamp\":\""
                + Instant.now() + "\",\"campaignId\":\"" + first + "\"}]").statusCode());
        String otherHistory = "/analytics/subscriber/" + enc(other) + "/history?limit=20";
        for (int i = 0; i < 60 && json(call("GET", otherHistory, null)).path("events").isEmpty(); i++) {
            Thread.sleep(500);
        }
        assertFalse(json(call("GET", otherHistory, null)).path("events").isEmpty());
        // Both events travel in one message: once it has left the queue, the erased address's event was handled too.
        String queue = LocalCloudExtension.localAws().resources().queueUrl("EngagementQueue");
        for (int i = 0; i < 60 && !drained(queue); i++) {
            Thread.sleep(500);
        }
        assertTrue(drained(queue), "the engagement message was processed");

        // No table of the stack holds the address in clear text, in any letter case; the keyed hash is kept.
        DynamoDbClient dynamo = LocalCloudExtension.localAws().dynamoDb();
        List<String> tables = dynamo.listTables().tableNames();
        assertTrue(tables.size() >= 8, tables.toString());
        int erasureRecords = 0;
        int audits = 0;
        for (String table : tables) {
            for (Map<String, AttributeValue> item : dynamo.scanPaginator(b -> b.tableName(table)).items()) {
                String text = item.toString().toLowerCase(Locale.ROOT);
                assertFalse(text.contains("eve-" + run), table + " still holds the address: " + item);
                if (item.containsKey("reason") && "erased".equals(item.get("reason").s())) {
                    erasureRecords++;
                }
                if (item.containsKey("pk") && "audit#data-requests".equals(item.get("pk").s())
                        && item.get("actor").s().startsWith("key-")) {
                    audits++;
                }
            }
        }
        assertTrue(erasureRecords >= 1, "the keyed hash is kept as a suppression");
        assertTrue(audits >= 3, "export and both erasures are in the audit log: " + audits);
        // The other recipient of the shared ledger batch keeps their result: the batch was redacted in place.
        assertEquals("SENT", json(call("GET", "/subscribers/" + enc(other) + "/export", null)).path("sends").path(0)
                .path("result").path("f").asText());

        // Re-adding is refused as erased: by import (the row named) and by the API.
        HttpRequest importRequest = LocalCloudExtension.request("/subscribers/bulk-import")
                .header("Authorization", "Bearer " + LocalCloudExtension.devApiKey()).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("email,segments\nann-" + run + "@example.com," + segment
                        + "\nEVE-" + run + "@example.com," + segment + "\n")).build();
        JsonNode report = json(LocalCloudExtension.send(importRequest));
        assertEquals(1, report.get("created").asInt(), report.toString());
        assertEquals(3, report.get("rejected").get(0).get("row").asInt(), report.toString());
        assertEquals("email", report.get("rejected").get(0).get("field").asText(), report.toString());
        assertTrue(report.get("rejected").get(0).get("reason").asText().contains("erased"), report.toString());
        HttpResponse<String> added = call("POST", "/subscribers", "{\"email\":\"" + eve + "\",\"segments\":[\"" + segment + "\"]}");
        assertEquals(409, added.statusCode(), added.body());
        assertTrue(json(added).get("error").asText().contains("erased"), added.body());

        // A profile and membership written by a write that raced the erasure: the campaign still never mails the
        // address. enqueue-campaign reads no erasure records (its choice is provisional), send-batch reads each
        // recipient's before sending and records it suppressed.
        String subscribers = tables.stream().filter(t -> t.contains("SubscribersTable")).findFirst().orElseThrow();
        String members = tables.stream().filter(t -> t.contains("SegmentMembersTable")).findFirst().orElseThrow();
        String now = Instant.now().toString();
        dynamo.putItem(b -> b.tableName(subscribers).item(Map.of("email", AttributeValue.fromS(identity),
                "address", AttributeValue.fromS(eve), "segments", AttributeValue.fromSs(List.of(segment)),
                "engagementScore", AttributeValue.fromN("0"), "createdAt", AttributeValue.fromS(now),
                "updatedAt", AttributeValue.fromS(now))));
        dynamo.putItem(b -> b.tableName(members).item(Map.of("segment", AttributeValue.fromS(segment),
                "email", AttributeValue.fromS(identity))));
        String second = sendAndWait(segment, "Second");
        Map<String, List<JsonNode>> mail = LocalCloudExtension.sesMessagesTo(run);
        assertEquals(1, mail.get("Eve-" + run + "@example.com").size(), "the erased address got nothing more");
        assertEquals(2, mail.get(other).size());
        assertEquals(1, mail.get("ann-" + run + "@example.com").size());
        JsonNode counts = json(call("GET", "/campaigns/" + second + "/stats", null)).get("counts");
        assertEquals(1, counts.get("suppressed").asInt(), counts.toString());
        assertEquals(2, counts.get("sent").asInt(), counts.toString());
        assertTrue(json(call("GET", "/subscribers/" + enc(eve) + "/export", null)).path("erased").asBoolean());
    }

    private String sendAndWait(String segment, String name) throws InterruptedException {
        String id = json(call("POST", "/campaigns", "{\"name\":\"" + name + "\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"]}")).get("id").asText();
        HttpResponse<String> sending = call("POST", "/campaigns/" + id + "/send", null);
        assertEquals(200, sending.statusCode(), sending.body());
        JsonNode campaign = null;
        for (int i = 0; i < 120; i++) {
            campaign = json(call("GET", "/campaigns/" + id, null));
            if ("sent".equals(campaign.get("status").asText())) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("sent", campaign.get("status").asText(), campaign.toString());
        return id;
    }

    private static boolean drained(String queueUrl) {
        Map<QueueAttributeName, String> attributes = LocalCloudExtension.localAws().sqs().getQueueAttributes(b -> b
                .queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                && "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static String enc(String email) {
        return URLEncoder.encode(email, StandardCharsets.UTF_8);
    }
}
