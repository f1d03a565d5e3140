package dev.dispatch.adapter.dynamodb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import dev.dispatch.domain.campaign.AbTest;
import dev.dispatch.domain.campaign.AbTestDecision;
import dev.dispatch.domain.campaign.AbTestState;
import dev.dispatch.domain.campaign.SendTime;
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
    /** Decisions hold an Instant: written as its ISO-8601 text, without pulling in Jackson's java.time module. */
    private static final ObjectMapper DECISIONS = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Instant.class, new ToStringSerializer())
            .addDeserializer(Instant.class, new InstantText()));
    private static final String COUNTER_PREFIX = "n_";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbCampaignStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    /** The stored, immutable part of a campaign. */
    record Definition(String name, String fromEmail, String fromName, String replyTo, CampaignContent content,
            List<Variant> variants, List<String> segments, List<String> excludedSegments, List<String> providers,
            AbTest abTest, SendTime sendTime) {}

    /** Which walk the cursor is on (absent on items of earlier versions: the first). */
    static final String WALK = "walk";
    /** The A/B test's decision time and its decision (JSON), each written once. */
    static final String AB_DECIDE_AT = "abDecideAt";
    static final String AB_DECISION = "abDecision";

    @Override
    public boolean create(Campaign c) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(c.id()));
        item.put("definition", s(toJson(new Definition(c.name(), c.fromEmail(), c.fromName(), c.replyTo(), c.content(),
                c.variants(), c.segments(), c.excludedSegments(), c.providers(), c.abTest(),
                c.sendTime()))));
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
                        item.containsKey(LEGACY_BOUND) ? item.get(LEGACY_BOUND).s() : null,
                        item.containsKey(WALK) ? Integer.parseInt(item.get(WALK).n()) : EnqueueProgress.FIRST_WALK),
                d.abTest(), d.sendTime()));
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
    public boolean advance(String id, EnqueueProgress expected, EnqueueProgress next, Map<String, Long> counters) {
        Map<String, AttributeValue> values = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        values.put(":expectedBatch", AttributeValue.fromN(Integer.toString(expected.nextBatch())));
        values.put(":nextBatch", AttributeValue.fromN(Integer.toString(next.nextBatch())));
        values.put(":complete", AttributeValue.fromBool(next.complete()));
        values.put(":notComplete", AttributeValue.fromBool(false));
        String condition = "nextBatch = :expectedBatch AND complete = :notComplete AND "
                + (expected.afterEmail() == null ? "attribute_not_exists(afterEmail)" : "afterEmail = :expectedAfter")
                + " AND " + walkCondition(expected, values);
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
        // The page's counters ride in the same conditional write: counted exactly when the cursor moves past them.
        String add = Increments.addClause(COUNTER_PREFIX, counters, names, values);
        String expression = add.isEmpty() ? update : update + " " + add;
        try {
            UpdateItemRequest.Builder request = UpdateItemRequest.builder().tableName(table).key(Map.of("id", s(id)))
                    .updateExpression(expression)
                    .conditionExpression(condition)
                    .expressionAttributeValues(values);
            if (!names.isEmpty()) {
                request.expressionAttributeNames(names);
            }
            client.updateItem(request.build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** The cursor is on the expected walk (an item without the attribute is on the first). */
    private static String walkCondition(EnqueueProgress expected, Map<String, AttributeValue> values) {
        values.put(":expectedWalk", AttributeValue.fromN(Integer.toString(expected.walk())));
        return expected.walk() == EnqueueProgress.FIRST_WALK
                ? "(attribute_not_exists(" + WALK + ") OR " + WALK + " = :expectedWalk)"
                : WALK + " = :expectedWalk";
    }

    @Override
    public boolean restart(String id, EnqueueProgress expected, EnqueueProgress next) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":expectedBatch", AttributeValue.fromN(Integer.toString(expected.nextBatch())));
        values.put(":complete", AttributeValue.fromBool(true));
        values.put(":nextBatch", AttributeValue.fromN(Integer.toString(next.nextBatch())));
        values.put(":notComplete", AttributeValue.fromBool(false));
        values.put(":walk", AttributeValue.fromN(Integer.toString(next.walk())));
        values.put(":identity", s(IDENTITY_KEYS));
        String condition = "nextBatch = :expectedBatch AND complete = :complete AND " + walkCondition(expected, values);
        try {
            client.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                    .updateExpression("SET nextBatch = :nextBatch, complete = :notComplete, " + WALK + " = :walk, "
                            + CURSOR_KEYS + " = :identity REMOVE afterEmail, " + LEGACY_BOUND)
                    .conditionExpression(condition)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public AbTestState abTestState(String id) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                .consistentRead(true).projectionExpression(AB_DECIDE_AT + ", " + AB_DECISION)).item();
        if (item == null || item.isEmpty()) {
            return AbTestState.NONE;
        }
        return new AbTestState(item.containsKey(AB_DECIDE_AT) ? Instant.parse(item.get(AB_DECIDE_AT).s()) : null,
                item.containsKey(AB_DECISION) ? decision(item.get(AB_DECISION).s()) : null);
    }

    @Override
    public Instant fixAbTestDecideAt(String id, Instant decideAt) {
        if (setOnce(id, AB_DECIDE_AT, decideAt.toString())) {
            return decideAt;
        }
        return abTestState(id).decideAt();
    }

    @Override
    public AbTestDecision fixAbTestDecision(String id, AbTestDecision decision) {
        try {
            if (setOnce(id, AB_DECISION, DECISIONS.writeValueAsString(decision))) {
                return decision;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A/B test decision can't be written", e);
        }
        return abTestState(id).decision();
    }

    /** Writes an attribute of an existing campaign unless it is there already; false if it was. */
    private boolean setOnce(String id, String attribute, String value) {
        try {
            client.updateItem(b -> b.tableName(table).key(Map.of("id", s(id)))
                    .updateExpression("SET #a = :v")
                    .conditionExpression("attribute_exists(id) AND attribute_not_exists(#a)")
                    .expressionAttributeNames(Map.of("#a", attribute))
                    .expressionAttributeValues(Map.of(":v", s(value))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static AbTestDecision decision(String json) {
        try {
            return DECISIONS.readValue(json, AbTestDecision.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A/B test decision can't be read", e);
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

    private static final class InstantText extends StdDeserializer<Instant> {
        InstantText() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return Instant.parse(parser.getValueAsString());
        }
    }
}
