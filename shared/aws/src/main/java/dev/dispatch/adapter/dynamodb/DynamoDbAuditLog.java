package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.privacy.AuditLog;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The data-request audit log in the Control table: partition {@code audit#data-requests}, one item per request
 * ({@code sk = <ISO time>#<random id>}, so the log reads in time order by Query). No TTL: it is the proof that a
 * request was honoured. It holds no address, only the keyed hash (see {@link AuditLog#record}).
 */
public class DynamoDbAuditLog implements AuditLog {
    public static final String PARTITION = "audit#data-requests";

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbAuditLog(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public void record(String action, String actor, Instant at, String subject, Map<String, Object> outcome) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS(PARTITION));
        item.put("sk", AttributeValue.fromS(at + "#" + UUID.randomUUID()));
        item.put("action", AttributeValue.fromS(action));
        item.put("actor", AttributeValue.fromS(actor == null ? "unknown" : actor));
        item.put("at", AttributeValue.fromS(at.toString()));
        item.put("subject", AttributeValue.fromS(subject));
        Map<String, AttributeValue> result = new LinkedHashMap<>();
        outcome.forEach((k, v) -> result.put(k, attribute(v)));
        item.put("outcome", AttributeValue.fromM(result));
        client.putItem(b -> b.tableName(table).item(item));
    }

    private static AttributeValue attribute(Object value) {
        if (value instanceof Number n) {
            return AttributeValue.fromN(n.toString());
        }
        if (value instanceof Boolean b) {
            return AttributeValue.fromBool(b);
        }
        if (value instanceof Collection<?> c) {
            return AttributeValue.fromL(c.stream().map(DynamoDbAuditLog::attribute).toList());
        }
        return AttributeValue.fromS(String.valueOf(value));
    }
}
