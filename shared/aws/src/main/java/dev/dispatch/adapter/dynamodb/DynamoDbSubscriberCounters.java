package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.subscriber.CounterDelta;
import dev.dispatch.domain.subscriber.SubscriberCounters;
import dev.dispatch.domain.subscriber.SubscriberStats;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Subscriber counts as items of the counters table under one partition: sort key {@code *} for everyone and
 * {@code segment#<name>} per segment, one number attribute per status, moved with atomic ADD.
 */
public class DynamoDbSubscriberCounters implements SubscriberCounters {
    /** The statuses counted: an erased person is no one's subscriber any more, so ERASED is never counted. */
    private static final java.util.Set<SubscriberStatus> COUNTED =
            java.util.EnumSet.complementOf(java.util.EnumSet.of(SubscriberStatus.ERASED));

    static final String PARTITION = "subscriber-counts";
    private static final String SEGMENT_PREFIX = "segment#";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbSubscriberCounters(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public void apply(CounterDelta delta) {
        delta.changes().forEach((scope, byStatus) -> {
            StringBuilder expression = new StringBuilder("ADD ");
            Map<String, String> names = new HashMap<>();
            Map<String, AttributeValue> values = new HashMap<>();
            byStatus.forEach((status, n) -> {
                if (!names.isEmpty()) {
                    expression.append(", ");
                }
                String alias = "#" + status.wireName();
                expression.append(alias).append(" :").append(status.wireName());
                names.put(alias, status.wireName());
                values.put(":" + status.wireName(), AttributeValue.fromN(Long.toString(n)));
            });
            String sortKey = CounterDelta.ALL.equals(scope) ? CounterDelta.ALL : SEGMENT_PREFIX + scope;
            client.updateItem(b -> b.tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS(PARTITION), "sk", AttributeValue.fromS(sortKey)))
                    .updateExpression(expression.toString())
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        });
    }

    @Override
    public SubscriberStats read() {
        Map<SubscriberStatus, Long> all = zeroes();
        Map<String, Map<SubscriberStatus, Long>> bySegment = new TreeMap<>();
        QueryRequest query = QueryRequest.builder().tableName(table)
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(PARTITION)))
                .consistentRead(true)
                .build();
        client.queryPaginator(query).items().forEach(item -> {
            String sortKey = item.get("sk").s();
            Map<SubscriberStatus, Long> counts = zeroes();
            for (SubscriberStatus status : COUNTED) {
                AttributeValue value = item.get(status.wireName());
                counts.put(status, value == null ? 0L : Long.parseLong(value.n()));
            }
            if (CounterDelta.ALL.equals(sortKey)) {
                all.putAll(counts);
            } else if (sortKey.startsWith(SEGMENT_PREFIX) && counts.values().stream().anyMatch(n -> n != 0)) {
                bySegment.put(sortKey.substring(SEGMENT_PREFIX.length()), counts);
            }
        });
        return new SubscriberStats(all, bySegment);
    }

    private static Map<SubscriberStatus, Long> zeroes() {
        Map<SubscriberStatus, Long> counts = new EnumMap<>(SubscriberStatus.class);
        for (SubscriberStatus status : COUNTED) {
            counts.put(status, 0L);
        }
        return counts;
    }
}
