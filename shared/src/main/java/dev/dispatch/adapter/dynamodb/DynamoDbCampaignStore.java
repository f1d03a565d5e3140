package dev.dispatch.adapter.dynamodb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dispatch.domain.campaign.Campaign;
import dev.dispatch.domain.campaign.CampaignContent;
import dev.dispatch.domain.campaign.CampaignStatus;
import dev.dispatch.domain.campaign.CampaignStore;
import dev.dispatch.domain.campaign.EnqueueProgress;
import dev.dispatch.domain.campaign.Variant;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * One item per campaign: the immutable definition as a JSON document, and the moving parts (status, cursor,
 * counters) as attributes that conditional updates and atomic ADDs work on.
 */
public class DynamoDbCampaignStore implements CampaignStore {
    /** Marks a campaign whose enqueue cursor is an identity key, not an earlier version's. */
    static final String CURSOR_KEYS = "cursorKeys";
    static final String IDENTITY_KEYS = "identity";
    /** The cursor an earlier version left, kept as a bound (see {@link EnqueueProgress}). */
    static final String LEGACY_BOUND = "legacyBound";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COUNTER_PREFIX = "n_";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbCampaignStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    /** The stored, immutable part of a campaign. */
    record Definition(String name, String fromEmail, String fromName, String replyTo, CampaignContent content,
            List<Variant> variants, List<String> segments, List<String> excludedSegments, List<String> providers) {}

    @Override
    public boolean create(Campaign c) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(c.id()));
        item.put("definition", s(toJson(new Definition(c.name(), c.fromEmail(), c.fromName(), c.replyTo(), c.content(),
                c.variants(), c.segments(), c.excludedSegments(), c.providers()))));
        item.put("status", s(c.status().wireName()));
        item.put("createdAt", s(c.createdAt().toString()));
        item.put("updatedAt", s(c.updatedAt().toString()));
        item.put("nextBatch", AttributeValue.fromN("0"));
        item.put("complete", AttributeValue.fromBool(false));
        try {
            client.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", "id")));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Campaign> find(String id) {
        GetItemResponse response = client.getItem(b -> b.tableName(table).key(Map.of("id", s(id))).consistentRead(true));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        Definition d = fromJson(item.get("definition").s());
        return Optional.of(new Campaign(id, d.name(), d.fromEmail(), d.fromName(), d.replyTo(), d.content(),
                d.variants() == null ? List.of() : d.variants(), d.segments(),
                d.excludedSegments() == null ? List.of() : d.excludedSegments(), d.providers(),
                CampaignStatus.fromWire(item.get("status").s()),
                item.containsKey("sendAt") ? Instant.parse(item.get("sendAt").s()) : null,
                Instant.parse(item.get("createdAt").s()),
                Instant.parse(item.get("updatedAt").s()),
                new EnqueueProgress(item.containsKey("afterEmail") ? item.get("afterEmail").s() : null,
                        Integer.parseInt(item.get("nextBatch").n()), item.get("complete").bool(),
                        item.containsKey(LEGACY_BOUND) ? item.get(LEGACY_BOUND).s() : null)));
    }

    @Override
    public boolean transition(String id, CampaignStatus from, CampaignStatus to, Instant sendAt, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":from", s(from.wireName()), ":to", s(to.wireName()), ":now", s(now.toString())));
        String update = "SET #status = :to, updatedAt = :now";
        if (sendAt != null) {
            update += ", sendAt = :sendAt";
            values.put(":sendAt", s(sendAt.toString()));
        } else {
            update += " REMOVE sendAt";
        }
        String expression = update;
        try {
            client.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                    .updateExpression(expression)
                    .conditionExpression("#status = :from")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean advance(String id, EnqueueProgress expected, EnqueueProgress next) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":expectedBatch", AttributeValue.fromN(Integer.toString(expected.nextBatch())));
        values.put(":nextBatch", AttributeValue.fromN(Integer.toString(next.nextBatch())));
        values.put(":complete", AttributeValue.fromBool(next.complete()));
        values.put(":notComplete", AttributeValue.fromBool(false));
        String condition = "nextBatch = :expectedBatch AND complete = :notComplete AND "
                + (expected.afterEmail() == null ? "attribute_not_exists(afterEmail)" : "afterEmail = :expectedAfter");
        if (expected.afterEmail() != null) {
            values.put(":expectedAfter", s(expected.afterEmail()));
        }
        // cursorKeys: the cursor is an identity key (see DynamoDbAddressMigration, which converts the others)
        String update = "SET nextBatch = :nextBatch, complete = :complete, " + CURSOR_KEYS + " = :identity";
        values.put(":identity", s(IDENTITY_KEYS));
        if (next.afterEmail() != null) {
            update += ", afterEmail = :after";
            values.put(":after", s(next.afterEmail()));
        }
        String expression = update;
        try {
            client.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                    .updateExpression(expression)
                    .conditionExpression(condition)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void addCounters(String id, Map<String, Long> deltas) {
        UpdateItemRequest.Builder request = UpdateItemRequest.builder().tableName(table).key(Map.of("id", s(id)))
                // Only an existing campaign: a webhook can name a campaign that was never ours (or is long gone).
                .conditionExpression("attribute_exists(id)");
        if (!Increments.addTo(request, COUNTER_PREFIX, deltas)) {
            return;
        }
        try {
            client.updateItem(request.build());
        } catch (ConditionalCheckFailedException e) {
            // no such campaign: nothing to count
        }
    }

    @Override
    public Map<String, Long> counters(String id) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(Map.of("id", s(id))).consistentRead(true)).item();
        return Increments.read(item, COUNTER_PREFIX);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static String toJson(Definition definition) {
        try {
            return JSON.writeValueAsString(definition);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("campaign definition can't be written", e);
        }
    }

    private static Definition fromJson(String json) {
        try {
            return JSON.readValue(json, Definition.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("campaign definition can't be read", e);
        }
    }
}
