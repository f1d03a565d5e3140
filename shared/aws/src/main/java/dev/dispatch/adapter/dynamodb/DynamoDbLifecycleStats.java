package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.engagement.LifecycleStats;
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
 * The lifecycle aggregate in the Counters table: one item per UTC day under {@code pk = lifecycle},
 * {@code sk = <yyyy-mm-dd>}, moves as {@code n_<from>><to>} moved by ADD. Reading up to a day is one Query (one
 * small item per day with moves: a 1 MB page holds decades).
 */
public class DynamoDbLifecycleStats implements LifecycleStats {
    static final String PARTITION = "lifecycle";
    private static final String PREFIX = "n_";

    private final DynamoDbClient client;
    private final String table;
    private final String partition;

    public DynamoDbLifecycleStats(DynamoDbClient client, String table) {
        this(client, table, PARTITION);
    }

    /** With a partition of its own, so that a test can read back exactly the moves it made. */
    public DynamoDbLifecycleStats(DynamoDbClient client, String table, String partition) {
        this.client = client;
        this.table = table;
        this.partition = partition;
    }

    @Override
    public void add(Map<LocalDate, Map<String, Long>> moves) {
        moves.forEach((day, counts) -> {
            UpdateItemRequest.Builder request = UpdateItemRequest.builder().tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS(partition), "sk", AttributeValue.fromS(day.toString())));
            if (Increments.addTo(request, PREFIX, counts)) {
                client.updateItem(request.build());
            }
        });
    }

    @Override
    public List<Day> upTo(LocalDate to) {
        List<Day> days = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> exclusiveStart = start;
            QueryResponse response = client.query(QueryRequest.builder().tableName(table)
                    .keyConditionExpression("pk = :pk AND sk <= :to")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(partition),
                            ":to", AttributeValue.fromS(to.toString())))
                    .exclusiveStartKey(exclusiveStart)
                    .build());
            for (Map<String, AttributeValue> item : response.items()) {
                days.add(new Day(LocalDate.parse(item.get("sk").s()), Increments.read(item, PREFIX)));
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return days;
    }
}
