package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.pacing.AimdState;
import dev.dispatch.domain.pacing.PacingStore;
import dev.dispatch.domain.pacing.PermitArithmetic;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Pacing state in the control table: {@code pk = rate#<provider>#<epochSecond>} and {@code quota#<provider>#<day>}
 * counters ({@code count}, moved by ADD, one UpdateItem each), {@code pk = aimd#<provider>} the last rate cut (a
 * conditional PutItem). {@code sk} is always {@value #SK}. Every item carries {@code expiresAt} (epoch seconds, the
 * table's TTL attribute), so windows and old days disappear on their own.
 */
public class DynamoDbPacingStore implements PacingStore {
    static final String SK = "pacing";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbPacingStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public long add(String key, long n, Instant expiresAt) {
        Map<String, AttributeValue> after = client.updateItem(UpdateItemRequest.builder().tableName(table)
                .key(key(key))
                .updateExpression("SET expiresAt = :exp ADD #count :n")
                .expressionAttributeNames(Map.of("#count", "count"))
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(n)),
                        ":exp", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond()))))
                .returnValues(ReturnValue.UPDATED_NEW)
                .build()).attributes();
        return Long.parseLong(after.get("count").n());
    }

    @Override
    public long read(String key) {
        GetItemResponse response = client.getItem(b -> b.tableName(table).key(key(key)));
        AttributeValue count = response.hasItem() ? response.item().get("count") : null;
        return count == null ? 0 : Long.parseLong(count.n());
    }

    @Override
    public Optional<AimdState> aimd(String provider) {
        GetItemResponse response = client.getItem(b -> b.tableName(table).key(key(PermitArithmetic.aimdKey(provider))));
        if (!response.hasItem() || response.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = response.item();
        return Optional.of(new AimdState(Double.parseDouble(item.get("rate").n()),
                Instant.ofEpochMilli(Long.parseLong(item.get("cutAt").n()))));
    }

    @Override
    public boolean cut(String provider, AimdState next, Instant lastCutNoLaterThan) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(PermitArithmetic.aimdKey(provider)));
        item.put("rate", AttributeValue.fromN(Double.toString(next.rateAfterCut())));
        item.put("cutAt", AttributeValue.fromN(Long.toString(next.cutAt().toEpochMilli())));
        // Kept a day: long after the rate has grown back, the last cut stays visible on the status page.
        item.put("expiresAt", AttributeValue.fromN(Long.toString(next.cutAt().plusSeconds(86_400).getEpochSecond())));
        try {
            client.putItem(PutItemRequest.builder().tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(cutAt) OR cutAt <= :latest")
                    .expressionAttributeValues(Map.of(":latest",
                            AttributeValue.fromN(Long.toString(lastCutNoLaterThan.toEpochMilli()))))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(SK));
    }
}
