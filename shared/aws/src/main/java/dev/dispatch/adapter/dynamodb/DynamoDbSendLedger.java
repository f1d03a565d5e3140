package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.LedgerRecipient;
import dev.dispatch.domain.campaign.NewBatch;
import dev.dispatch.domain.campaign.OverflowRoute;
import dev.dispatch.domain.campaign.RecipientResult;
import dev.dispatch.domain.campaign.SendLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The send ledger on DynamoDB: key (campaignId, batch). Done batches carry {@code doneOf} and parked ones
 * {@code parkedOf}, each indexed by a sparse keys-only GSI, so counting done batches or finding parked ones reads
 * only tiny index entries. Items expire by TTL ({@code expiresAt}, epoch seconds) after the retention period.
 */
public class DynamoDbSendLedger implements SendLedger {
    static final String DONE_INDEX = "DoneBatches";
    static final String PARKED_INDEX = "ParkedBatches";
    /** The default retention (template parameter SendLedgerRetentionDays). */
    public static final Duration RETENTION = Duration.ofDays(180);

    private final DynamoDbClient client;
    private final String table;
    private final Duration retention;

    public DynamoDbSendLedger(DynamoDbClient client, String table) {
        this(client, table, RETENTION);
    }

    /** @param retention how long a batch is kept after it was enqueued: its {@code expiresAt} (TTL) */
    public DynamoDbSendLedger(DynamoDbClient client, String table, Duration retention) {
        this.client = client;
        this.table = table;
        this.retention = retention;
    }

    @Override
    public boolean create(String campaignId, NewBatch batch) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, batch.batch()));
        item.put("recipients", AttributeValue.fromL(batch.recipients().stream()
                .map(r -> AttributeValue.fromS(r.variant() == null ? r.email() : r.email() + "\t" + r.variant()))
                .toList()));
        item.put("coversUpTo", AttributeValue.fromS(batch.coversUpTo()));
        item.put("skippedSuppressed", n(batch.skippedSuppressed()));
        item.put("skippedExcluded", n(batch.skippedExcluded()));
        if (batch.overflow() != null) {
            item.put("overflowPlan", s(batch.overflow().plan()));
            item.put("overflowProviders", AttributeValue.fromL(batch.overflow().providers().stream().map(DynamoDbSendLedger::s).toList()));
        }
        boolean empty = batch.recipients().isEmpty();
        item.put("state", s(empty ? LedgerBatch.State.DONE.name() : LedgerBatch.State.PENDING.name()));
        if (empty) {
            item.put("doneOf", s(campaignId)); // nothing to send: done from the start, so it counts as done
        }
        item.put("results", AttributeValue.fromM(Map.of()));
        item.put("expiresAt", n(Instant.now().plus(retention).getEpochSecond()));
        try {
            client.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(campaignId)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<LedgerBatch> find(String campaignId, int batch) {
        var response = client.getItem(b -> b.tableName(table).key(key(campaignId, batch)).consistentRead(true));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(toBatch(response.item())) : Optional.empty();
    }

    @Override
    public Optional<LedgerBatch> claim(String campaignId, int batch, String owner, Instant leaseUntil, Instant now) {
        try {
            var response = client.updateItem(b -> b.tableName(table).key(key(campaignId, batch))
                    .updateExpression("SET #state = :claimed, #owner = :owner, leaseUntil = :until")
                    .conditionExpression("#state = :pending OR (#state = :claimed AND leaseUntil < :now)")
                    .expressionAttributeNames(Map.of("#state", "state", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(
                            ":claimed", s(LedgerBatch.State.CLAIMED.name()),
                            ":pending", s(LedgerBatch.State.PENDING.name()),
                            ":owner", s(owner),
                            ":until", n(leaseUntil.toEpochMilli()),
                            ":now", n(now.toEpochMilli())))
                    .returnValues(ReturnValue.ALL_NEW));
            return Optional.of(toBatch(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean markInflight(String campaignId, int batch, String owner, List<String> emails) {
        if (emails.isEmpty()) {
            return true;
        }
        return ownedUpdate(campaignId, batch, owner, "SET inflight = :inflight",
                Map.of(":inflight", AttributeValue.fromSs(emails)));
    }

    @Override
    public boolean record(String campaignId, int batch, String owner, Map<String, RecipientResult> results) {
        return ownedUpdate(campaignId, batch, owner, "SET results = :results REMOVE inflight",
                Map.of(":results", results(results)));
    }

    @Override
    public boolean recordAndFinish(String campaignId, int batch, String owner, Map<String, RecipientResult> results) {
        return ownedUpdate(campaignId, batch, owner,
                "SET results = :results, #state = :done, doneOf = :campaign REMOVE #owner, leaseUntil, inflight, parkedOf",
                Map.of(":results", results(results), ":done", s(LedgerBatch.State.DONE.name()), ":campaign", s(campaignId)));
    }

    private static AttributeValue results(Map<String, RecipientResult> results) {
        Map<String, AttributeValue> stored = new HashMap<>();
        results.forEach((email, r) -> {
            Map<String, AttributeValue> result = new HashMap<>();
            result.put("f", s(r.fate().name()));
            if (r.provider() != null) {
                result.put("p", s(r.provider()));
            }
            if (r.providerMessageId() != null) {
                result.put("id", s(r.providerMessageId()));
            }
            if (r.detail() != null) {
                result.put("d", s(r.detail().length() > 300 ? r.detail().substring(0, 300) : r.detail()));
            }
            if (r.route() != null) {
                result.put("r", s(r.route())); // why this provider: rule:<domain>, tier:<name>, weight, order, failover:<p>
            }
            stored.put(email, AttributeValue.fromM(result));
        });
        return AttributeValue.fromM(stored);
    }

    @Override
    public boolean finish(String campaignId, int batch, String owner) {
        return ownedUpdate(campaignId, batch, owner,
                "SET #state = :done, doneOf = :campaign REMOVE #owner, leaseUntil, inflight, parkedOf",
                Map.of(":done", s(LedgerBatch.State.DONE.name()), ":campaign", s(campaignId)));
    }

    @Override
    public void release(String campaignId, int batch, String owner) {
        ownedUpdate(campaignId, batch, owner, "SET #state = :pending REMOVE #owner, leaseUntil",
                Map.of(":pending", s(LedgerBatch.State.PENDING.name())));
    }

    @Override
    public int countDone(String campaignId) {
        QueryRequest query = QueryRequest.builder().tableName(table).indexName(DONE_INDEX)
                .keyConditionExpression("doneOf = :c")
                .expressionAttributeValues(Map.of(":c", s(campaignId)))
                .select(Select.COUNT)
                .build();
        int count = 0;
        for (var page : client.queryPaginator(query)) {
            count += page.count();
        }
        return count;
    }

    @Override
    public void park(String campaignId, int batch) {
        try {
            client.updateItem(b -> b.tableName(table).key(key(campaignId, batch))
                    .updateExpression("SET parkedOf = :c")
                    .conditionExpression("#state <> :done")
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(Map.of(":c", s(campaignId), ":done", s(LedgerBatch.State.DONE.name()))));
        } catch (ConditionalCheckFailedException e) {
            // done meanwhile: nothing to park
        }
    }

    @Override
    public List<Integer> unpark(String campaignId) {
        QueryRequest query = QueryRequest.builder().tableName(table).indexName(PARKED_INDEX)
                .keyConditionExpression("parkedOf = :c")
                .expressionAttributeValues(Map.of(":c", s(campaignId)))
                .build();
        List<Integer> unparked = new ArrayList<>();
        for (Map<String, AttributeValue> entry : client.queryPaginator(query).items()) {
            int batch = Integer.parseInt(entry.get("batch").n());
            try {
                client.updateItem(b -> b.tableName(table).key(key(campaignId, batch))
                        .updateExpression("REMOVE parkedOf")
                        .conditionExpression("attribute_exists(parkedOf)"));
                unparked.add(batch);
            } catch (ConditionalCheckFailedException e) {
                // another resume took it
            }
        }
        return unparked;
    }

    private boolean ownedUpdate(String campaignId, int batch, String owner, String update, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":me", s(owner));
        all.put(":claimedState", s(LedgerBatch.State.CLAIMED.name()));
        Map<String, String> names = new HashMap<>(Map.of("#owner", "owner"));
        if (update.contains("#state")) {
            names.put("#state", "state");
        }
        names.put("#st", "state");
        try {
            client.updateItem(b -> b.tableName(table).key(key(campaignId, batch))
                    .updateExpression(update)
                    .conditionExpression("#owner = :me AND #st = :claimedState")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(all));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static LedgerBatch toBatch(Map<String, AttributeValue> item) {
        List<LedgerRecipient> recipients = item.get("recipients").l().stream().map(v -> {
            String[] parts = v.s().split("\t", 2);
            return new LedgerRecipient(parts[0], parts.length > 1 ? parts[1] : null);
        }).toList();
        Map<String, RecipientResult> results = new LinkedHashMap<>();
        if (item.containsKey("results")) {
            item.get("results").m().forEach((email, v) -> {
                Map<String, AttributeValue> r = v.m();
                results.put(email, new RecipientResult(RecipientResult.Fate.valueOf(r.get("f").s()),
                        r.containsKey("p") ? r.get("p").s() : null,
                        r.containsKey("id") ? r.get("id").s() : null,
                        r.containsKey("d") ? r.get("d").s() : null,
                        r.containsKey("r") ? r.get("r").s() : null));
            });
        }
        return new LedgerBatch(item.get("campaignId").s(), Integer.parseInt(item.get("batch").n()), recipients,
                item.get("coversUpTo").s(),
                LedgerBatch.State.valueOf(item.get("state").s()),
                item.containsKey("owner") ? item.get("owner").s() : null,
                item.containsKey("leaseUntil") ? Instant.ofEpochMilli(Long.parseLong(item.get("leaseUntil").n())) : null,
                item.containsKey("inflight") ? List.copyOf(item.get("inflight").ss()) : List.of(),
                results,
                item.containsKey("overflowPlan") ? new OverflowRoute(item.get("overflowPlan").s(),
                        item.get("overflowProviders").l().stream().map(AttributeValue::s).toList()) : null,
                item.containsKey("skippedSuppressed") ? Integer.parseInt(item.get("skippedSuppressed").n()) : 0,
                item.containsKey("skippedExcluded") ? Integer.parseInt(item.get("skippedExcluded").n()) : 0);
    }

    private static Map<String, AttributeValue> key(String campaignId, int batch) {
        return Map.of("campaignId", s(campaignId), "batch", n(batch));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
