package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.engagement.DeliveryStats;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Provider statistics in the Counters table: one item per (day, provider) under {@code pk = delivery-stats},
 * {@code sk = <yyyy-mm-dd>#<provider>}, counters as {@code n_<name>} moved by ADD; a period is one Query.
 */
public class DynamoDbDeliveryStats implements DeliveryStats {
    static final String PARTITION = "delivery-stats";
    private static final String PREFIX = "n_";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbDeliveryStats(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public void add(LocalDate day, String provider, Map<String, Long> counts) {
        UpdateItemRequest.Builder request = UpdateItemRequest.builder().tableName(table)
                .key(Map.of("pk", AttributeValue.fromS(PARTITION), "sk", AttributeValue.fromS(day + "#" + provider)));
        if (Increments.addTo(request, PREFIX, counts)) {
            client.updateItem(request.build());
        }
    }

    @Override
    public List<Day> days(LocalDate from, LocalDate to) {
        List<Day> days = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> exclusiveStart = start;
            QueryResponse response = client.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(PARTITION),
                            ":from", AttributeValue.fromS(from + "#"), ":to", AttributeValue.fromS(to + "#\uffff")))
                    .exclusiveStartKey(exclusiveStart)
                    .build());
            for (Map<String, AttributeValue> item : response.items()) {
                String sk = item.get("sk").s();
                int hash = sk.indexOf('#');
                days.add(new Day(LocalDate.parse(sk.substring(0, hash)), sk.substring(hash + 1), Increments.read(item, PREFIX)));
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return days;
    }
}
