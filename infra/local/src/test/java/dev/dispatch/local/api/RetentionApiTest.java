package dev.dispatch.local.api;

import static dev.dispatch.local.LocalCloudExtension.call;
import static dev.dispatch.local.LocalCloudExtension.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dispatch.emulators.CfnTemplate;
import dev.dispatch.emulators.ProjectLayout;
import dev.dispatch.local.LocalCloudExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Retention through the real functions: enqueue-campaign writes send-ledger batches and apply-engagement writes
 * history entries with the TTL attribute set to the template's retention parameters (the local stack deploys their
 * defaults; dynalite never expires items, so the written value is what is checked).
 */
@ExtendWith(LocalCloudExtension.class)
class RetentionApiTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void givenACampaignAndAnEvent_thenTheLedgerAndTheHistoryExpireAfterTheTemplatesRetentionPeriods() throws Exception {
        CfnTemplate template = CfnTemplate.load(ProjectLayout.root().resolve("template.yaml"));
        long ledgerDays = ((Number) template.parameters().get("SendLedgerRetentionDays").get("Default")).longValue();
        long historyDays = ((Number) template.parameters().get("EngagementRetentionDays").get("Default")).longValue();
        String segment = "retention-" + run;
        String ann = "ann-" + run + "@example.com";
        assertEquals(201, call("POST", "/subscribers", "{\"email\":\"" + ann + "\",\"segments\":[\"" + segment + "\"]}").statusCode());

        Instant beforeSend = Instant.now();
        String id = json(call("POST", "/campaigns", "{\"name\":\"Kept\",\"fromEmail\":\"news@example.com\","
                + "\"subject\":\"Hi\",\"html\":\"<p>Hi</p><a href=\\\"{{unsubscribeUrl}}\\\">Unsubscribe</a>\","
                + "\"segments\":[\"" + segment + "\"],\"providers\":[\"ses\"]}")).get("id").asText();
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
        Instant afterSend = Instant.now();

        DynamoDbClient dynamo = LocalCloudExtension.localAws().dynamoDb();
        String ledger = LocalCloudExtension.localAws().resources().tableName("SendLedgerTable");
        List<Map<String, AttributeValue>> batches = dynamo.query(b -> b.tableName(ledger).keyConditionExpression("campaignId = :c")
                .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(id)))).items();
        assertFalse(batches.isEmpty());
        for (Map<String, AttributeValue> batch : batches) {
            assertBetween(beforeSend.plus(Duration.ofDays(ledgerDays)), afterSend.plus(Duration.ofDays(ledgerDays)),
                    Long.parseLong(batch.get("expiresAt").n()));
        }

        Instant beforeEvent = Instant.now();
        assertEquals(202, call("POST", "/engagement/track", "[{\"id\":\"evt-" + run + "\",\"type\":\"opened\",\"email\":\""
                + ann + "\",\"timestamp\":\"" + Instant.now() + "\",\"campaignId\":\"" + id + "\"}]").statusCode());
        String engagement = LocalCloudExtension.localAws().resources().tableName("EngagementTable");
        List<Map<String, AttributeValue>> history = List.of();
        for (int i = 0; i < 60 && history.isEmpty(); i++) {
            history = dynamo.query(b -> b.tableName(engagement).keyConditionExpression("pk = :pk AND begins_with(sk, :evt)")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("sub#" + ann), ":evt", AttributeValue.fromS("evt#"))))
                    .items();
            Thread.sleep(history.isEmpty() ? 500 : 0);
        }
        assertEquals(1, history.size());
        assertTrue(history.get(0).containsKey("expiresAt"));
        assertBetween(beforeEvent.plus(Duration.ofDays(historyDays)), Instant.now().plus(Duration.ofDays(historyDays)),
                Long.parseLong(history.get(0).get("expiresAt").n()));
    }

    private static void assertBetween(Instant low, Instant high, long epochSeconds) {
        assertTrue(epochSeconds >= low.getEpochSecond() && epochSeconds <= high.getEpochSecond(),
                "expiresAt " + epochSeconds + " not in [" + low.getEpochSecond() + ", " + high.getEpochSecond() + "]");
    }
}
