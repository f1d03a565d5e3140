package dev.dispatch.adapter.dynamodb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * BatchWriteItem / BatchGetItem in their size limits, re-sending what DynamoDB hands back as unprocessed with
 * exponential backoff (throttled items come back that way, not as errors), until all is done.
 */
final class Batches {
    static final int WRITE_LIMIT = 25;
    static final int GET_LIMIT = 100;
    private static final int MAX_ATTEMPTS = 12;

    private Batches() {}

    static void write(DynamoDbClient client, String table, List<WriteRequest> requests) {
        for (int start = 0; start < requests.size(); start += WRITE_LIMIT) {
            Map<String, List<WriteRequest>> pending =
                    Map.of(table, requests.subList(start, Math.min(requests.size(), start + WRITE_LIMIT)));
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt > 0) {
                    backoff(attempt, "BatchWriteItem");
                }
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(request));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    static List<Map<String, AttributeValue>> get(DynamoDbClient client, String table, List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(keys.size());
        for (int start = 0; start < keys.size(); start += GET_LIMIT) {
            Map<String, KeysAndAttributes> pending = new HashMap<>(Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(start, Math.min(keys.size(), start + GET_LIMIT)))
                    .consistentRead(true)
                    .build()));
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt > 0) {
                    backoff(attempt, "BatchGetItem");
                }
                Map<String, KeysAndAttributes> request = pending;
                BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(request));
                items.addAll(response.responses().getOrDefault(table, List.of()));
                pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return items;
    }

    private static void backoff(int attempt, String operation) {
        if (attempt >= MAX_ATTEMPTS) {
            throw new IllegalStateException(operation + " still had unprocessed items after " + MAX_ATTEMPTS + " attempts");
        }
        long delay = Math.min(2_000, 25L << Math.min(attempt, 7));
        try {
            Thread.sleep(delay / 2 + (long) (Math.random() * delay / 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + operation, e);
        }
    }
}
