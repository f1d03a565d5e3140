package dev.dispatch.adapter.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dispatch.TestStack;
import dev.dispatch.domain.campaign.LedgerRecipient;
import dev.dispatch.domain.campaign.NewBatch;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementType;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.emulators.CfnTemplate;
import dev.dispatch.emulators.ProjectLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Retention: send-ledger batches and engagement history entries are written with the TTL attribute the template's
 * TimeToLiveSpecification names, set to the configured period (dynalite has no TTL expiry: the attribute is what
 * can be checked here).
 */
class RetentionOnDynamoDbTest {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final DynamoDbClient dynamo = TestStack.aws().dynamoDb();

    @Test
    void theTablesExpireByTheAttributeTheStoresWrite() {
        CfnTemplate template = CfnTemplate.load(ProjectLayout.root().resolve("template.yaml"));
        for (String table : List.of("SendLedgerTable", "EngagementTable")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> ttl = (Map<String, Object>) ((Map<String, Object>) template.resources().get(table)
                    .get("Properties")).get("TimeToLiveSpecification");
            assertEquals("expiresAt", ttl.get("AttributeName"), table);
            assertEquals(true, ttl.get("Enabled"), table);
        }
        assertEquals(180, ((Number) template.parameters().get("SendLedgerRetentionDays").get("Default")).intValue());
        assertEquals(400, ((Number) template.parameters().get("EngagementRetentionDays").get("Default")).intValue());
    }

    @Test
    void aLedgerBatchExpiresAfterTheConfiguredPeriod() {
        String table = TestStack.aws().resources().tableName("SendLedgerTable");
        Instant before = Instant.now();
        new DynamoDbSendLedger(dynamo, table, Duration.ofDays(7)).create("c-" + run,
                new NewBatch(0, List.of(new LedgerRecipient("a-" + run + "@example.com", null)), "a-" + run + "@example.com", 0, 0));
        Instant after = Instant.now();
        long expiresAt = Long.parseLong(dynamo.getItem(b -> b.tableName(table).key(Map.of(
                "campaignId", AttributeValue.fromS("c-" + run), "batch", AttributeValue.fromN("0")))).item().get("expiresAt").n());
        assertBetween(before.plus(Duration.ofDays(7)), after.plus(Duration.ofDays(7)), expiresAt);
    }

    @Test
    void aHistoryEntryAndACampaignEntryExpireAfterTheConfiguredPeriod() {
        String table = TestStack.aws().resources().tableName("EngagementTable");
        DynamoDbEngagementStore store = new DynamoDbEngagementStore(dynamo, table, Duration.ofDays(30));
        EmailAddress ann = EmailAddress.parse("ann-" + run + "@example.com");
        Instant now = Instant.now();
        EngagementEvent event = new EngagementEvent("track", "e-" + run, EngagementType.OPENED, ann, now.minus(Duration.ofDays(2)),
                "c-" + run, null, null, null, null, null, null);
        store.claim(event, "k-" + run, "owner", now.plusSeconds(60), now);
        Instant before = Instant.now();
        store.recordCampaignEvent("c-" + run, ann, "opened", "k-" + run);
        Instant after = Instant.now();
        List<Map<String, AttributeValue>> history = dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(DynamoDbEngagementStore.subscriberKey(ann))))).items();
        assertEquals(1, history.size());
        assertEquals(now.plus(Duration.ofDays(30)).getEpochSecond(), Long.parseLong(history.get(0).get("expiresAt").n()),
                "kept 30 days from when it was recorded");
        long campaignEntry = Long.parseLong(dynamo.getItem(b -> b.tableName(table).key(Map.of(
                "pk", AttributeValue.fromS("cmp#c-" + run), "sk", AttributeValue.fromS(ann.key())))).item().get("expiresAt").n());
        assertBetween(before.plus(Duration.ofDays(30)), after.plus(Duration.ofDays(30)), campaignEntry);
    }

    private static void assertBetween(Instant low, Instant high, long epochSeconds) {
        if (epochSeconds < low.getEpochSecond() || epochSeconds > high.getEpochSecond()) {
            throw new AssertionError("expiresAt " + epochSeconds + " not in [" + low.getEpochSecond() + ", "
                    + high.getEpochSecond() + "]");
        }
    }
}
