package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.consent.SegmentSettings;
import dev.dispatch.domain.consent.SegmentSettingsStore;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** Segments' consent settings in the control table: {@code pk = segment#<name>}, {@code sk = settings}. */
public class DynamoDbSegmentSettings implements SegmentSettingsStore {
    private static final String SK = "settings";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbSegmentSettings(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String segment) {
        return Map.of("pk", AttributeValue.fromS("segment#" + segment), "sk", AttributeValue.fromS(SK));
    }

    @Override
    public Optional<SegmentSettings> find(String segment) {
        var response = client.getItem(b -> b.tableName(table).key(key(segment)).consistentRead(true));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(toSettings(response.item())) : Optional.empty();
    }

    @Override
    public Map<String, SegmentSettings> findAll(Collection<String> segments) {
        List<Map<String, AttributeValue>> keys = segments.stream().distinct().map(DynamoDbSegmentSettings::key).toList();
        Map<String, SegmentSettings> result = new HashMap<>();
        for (Map<String, AttributeValue> item : Batches.get(client, table, keys)) {
            SegmentSettings s = toSettings(item);
            result.put(s.segment(), s);
        }
        return result;
    }

    @Override
    public boolean put(SegmentSettings s) {
        Map<String, AttributeValue> item = new HashMap<>(key(s.segment()));
        item.put("segment", AttributeValue.fromS(s.segment()));
        item.put("doubleOptIn", AttributeValue.fromBool(s.doubleOptIn()));
        item.put("version", AttributeValue.fromN(Integer.toString(s.version())));
        putIfPresent(item, "confirmationCampaign", s.confirmationCampaign());
        putIfPresent(item, "consentText", s.consentText());
        putIfPresent(item, "consentVersion", s.consentVersion());
        putIfPresent(item, "updatedAt", s.updatedAt() == null ? null : s.updatedAt().toString());
        putIfPresent(item, "updatedBy", s.updatedBy());
        try {
            client.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression(s.version() == 1 ? "attribute_not_exists(pk)" : "#v = :previous")
                    .expressionAttributeNames(s.version() == 1 ? null : Map.of("#v", "version"))
                    .expressionAttributeValues(s.version() == 1 ? null
                            : Map.of(":previous", AttributeValue.fromN(Integer.toString(s.version() - 1)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static SegmentSettings toSettings(Map<String, AttributeValue> item) {
        return new SegmentSettings(item.get("segment").s(),
                item.containsKey("doubleOptIn") && Boolean.TRUE.equals(item.get("doubleOptIn").bool()),
                Integer.parseInt(item.get("version").n()), s(item, "confirmationCampaign"), s(item, "consentText"),
                s(item, "consentVersion"), item.containsKey("updatedAt") ? Instant.parse(item.get("updatedAt").s()) : null,
                s(item, "updatedBy"));
    }

    private static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }
}
