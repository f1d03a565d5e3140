package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.engagement.EngagementJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The batches' journal in the Engagement table: one item per queue message, {@code pk = jrn#<message id>},
 * {@code sk = jrn}, holding the lease ({@code owner}, {@code leaseUntil}), the plan per subscriber (a map by the
 * position of the subscriber's first event: {@code e} positions, {@code v} version, {@code m} lifecycle moves,
 * {@code s} suppressions), the increments made ({@code done}) and {@code finished}; kept {@link #RETENTION} (TTL),
 * longer than a message can stay in the queue. No address is stored here.
 */
public class DynamoDbEngagementJournal implements EngagementJournal {
    /** SQS keeps a message at most 14 days. */
    static final Duration RETENTION = Duration.ofDays(15);

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbEngagementJournal(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String batchId) {
        return Map.of("pk", s("jrn#" + batchId), "sk", s("jrn"));
    }

    @Override
    public Journal open(String batchId, String owner, Instant leaseUntil, Instant now) {
        try {
            Map<String, AttributeValue> item = client.updateItem(b -> b.tableName(table).key(key(batchId))
                    .updateExpression("SET #owner = :owner, leaseUntil = :lease, expiresAt = if_not_exists(expiresAt, :exp),"
                            + " #plan = if_not_exists(#plan, :empty)")
                    // a finished batch holds no lease: its redelivery opens it and finds it finished
                    .conditionExpression("attribute_not_exists(pk) OR attribute_not_exists(leaseUntil) OR leaseUntil < :now")
                    .expressionAttributeNames(Map.of("#owner", "owner", "#plan", "plan"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":lease", n(leaseUntil.toEpochMilli()),
                            ":exp", n(now.plus(RETENTION).getEpochSecond()), ":empty", AttributeValue.fromM(Map.of()),
                            ":now", n(now.toEpochMilli())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            Map<String, Entry> plan = new LinkedHashMap<>();
            AttributeValue planned = item.get("plan");
            if (planned != null && planned.hasM()) {
                planned.m().forEach((id, entry) -> plan.put(id, entryOf(entry.m())));
            }
            AttributeValue done = item.get("done");
            AttributeValue finished = item.get("finished");
            return new Journal(plan, done == null ? Set.of() : Set.copyOf(done.ss()),
                    finished != null && Boolean.TRUE.equals(finished.bool()));
        } catch (ConditionalCheckFailedException held) {
            return null;
        }
    }

    @Override
    public void plan(String batchId, String owner, Map<String, Entry> entries) {
        Map<String, String> names = new HashMap<>(Map.of("#owner", "owner", "#plan", "plan"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":owner", s(owner)));
        List<String> sets = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            names.put("#p" + i, e.getKey());
            values.put(":p" + i, AttributeValue.fromM(itemOf(e.getValue())));
            sets.add("#plan.#p" + i + " = :p" + i);
            i++;
        }
        update(batchId, "SET " + String.join(", ", sets), names, values);
    }

    @Override
    public void replan(String batchId, String owner, String subscriber, Entry entry) {
        Map<String, String> names = Map.of("#owner", "owner", "#plan", "plan", "#p", subscriber);
        if (entry == null) {
            update(batchId, "REMOVE #plan.#p", names, Map.of(":owner", s(owner)));
        } else {
            update(batchId, "SET #plan.#p = :p", names, Map.of(":owner", s(owner), ":p", AttributeValue.fromM(itemOf(entry))));
        }
    }

    @Override
    public void markDone(String batchId, String owner, String part) {
        update(batchId, "ADD done :part", Map.of("#owner", "owner"),
                Map.of(":owner", s(owner), ":part", AttributeValue.fromSs(List.of(part))));
    }

    @Override
    public void finish(String batchId, String owner) {
        update(batchId, "SET finished = :yes REMOVE #owner, leaseUntil, #plan", Map.of("#owner", "owner", "#plan", "plan"),
                Map.of(":owner", s(owner), ":yes", AttributeValue.fromBool(true)));
    }

    @Override
    public void release(String batchId, String owner) {
        try {
            client.updateItem(b -> b.tableName(table).key(key(batchId)).updateExpression("SET leaseUntil = :zero")
                    .conditionExpression("#owner = :owner").expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":zero", n(0), ":owner", s(owner))));
        } catch (ConditionalCheckFailedException e) {
            // not ours any more: nothing to give up
        }
    }

    private void update(String batchId, String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        try {
            client.updateItem(b -> b.tableName(table).key(key(batchId)).updateExpression(expression)
                    .conditionExpression("#owner = :owner").expressionAttributeNames(names).expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("the lease on an engagement batch was lost while applying it", e);
        }
    }

    private static Map<String, AttributeValue> itemOf(Entry entry) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("e", s(entry.events().stream().map(String::valueOf).collect(Collectors.joining(" "))));
        item.put("v", n(entry.version()));
        if (!entry.moves().isEmpty()) {
            item.put("m", s(entry.moves()));
        }
        if (!entry.suppressions().isEmpty()) {
            item.put("s", AttributeValue.fromL(entry.suppressions().stream().map(AttributeValue::fromS).toList()));
        }
        return item;
    }

    private static Entry entryOf(Map<String, AttributeValue> item) {
        List<Integer> events = Arrays.stream(item.get("e").s().split(" ")).map(Integer::valueOf).toList();
        AttributeValue moves = item.get("m");
        AttributeValue suppressions = item.get("s");
        return new Entry(events, Long.parseLong(item.get("v").n()), moves == null ? "" : moves.s(),
                suppressions == null ? List.of() : suppressions.l().stream().map(AttributeValue::s).toList());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
