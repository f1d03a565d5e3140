package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.campaign.EngagementRanks;
import dev.dispatch.domain.engagement.EngagementEvent;
import dev.dispatch.domain.engagement.EngagementStates;
import dev.dispatch.domain.engagement.EngagementStore;
import dev.dispatch.domain.engagement.EngagementStore.Status;
import dev.dispatch.domain.engagement.HistoryPage;
import dev.dispatch.domain.engagement.SubscriberEngagement;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.warming.EngagementRank;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The Engagement table (addresses by their {@link EmailAddress#key() identity}): {@code sub#<email>} holds the subscriber's state ({@code sk = state}) and history
 * ({@code sk = evt#<occurred millis, 15 digits>#<event key>}, newest last, kept for the retention (default {@link #RETENTION}) by TTL);
 * {@code cmp#<campaign>} holds one item per recipient with the keys of the events recorded on it.
 */
public class DynamoDbEngagementStore implements EngagementStore, EngagementRanks, EngagementStates {
    /** The default retention (template parameter EngagementRetentionDays). */
    public static final Duration RETENTION = Duration.ofDays(400);
    private static final String STATE = "state";
    private static final String PENDING = "pending";
    private static final String APPLIED = "applied";
    private static final int BATCH_GET = 100;

    private final DynamoDbClient client;
    private final String table;
    private final Duration retention;

    public DynamoDbEngagementStore(DynamoDbClient client, String table) {
        this(client, table, RETENTION);
    }

    /**
     * @param retention how long a history entry and a campaign-recipient entry are kept after they were written (the
     *     latter after its last event): their {@code expiresAt} (TTL)
     */
    public DynamoDbEngagementStore(DynamoDbClient client, String table, Duration retention) {
        this.client = client;
        this.table = table;
        this.retention = retention;
    }

    /** By the address's identity, so that every letter case of it shares one history and one state. */
    static String subscriberKey(EmailAddress email) {
        return "sub#" + email.key();
    }

    static String historyKey(EngagementEvent event, String eventKey) {
        return String.format("evt#%015d#%s", event.occurredAt().toEpochMilli(), eventKey);
    }

    @Override
    public Claim claim(EngagementEvent event, String eventKey, String owner, Instant leaseUntil, Instant now) {
        Map<String, AttributeValue> key = historyItemKey(event, eventKey);
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put("type", s(event.type().name()));
        item.put("provider", s(event.provider()));
        item.put("occurredAt", s(event.occurredAt().toString()));
        putIfPresent(item, "campaignId", event.campaignId());
        putIfPresent(item, "variant", event.variant());
        putIfPresent(item, "url", event.url());
        putIfPresent(item, "detail", event.detail());
        putIfPresent(item, "providerType", event.providerType());
        item.put("state", s(PENDING));
        item.put("owner", s(owner));
        item.put("leaseUntil", n(leaseUntil.toEpochMilli()));
        item.put("expiresAt", n(now.plus(retention).getEpochSecond()));
        try {
            client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return Claim.of(Status.OWNED);
        } catch (ConditionalCheckFailedException first) {
            // recorded before: applied (the common case: a duplicate), being applied, or left by an attempt that
            // failed or died - one read tells which, so a duplicate costs two requests
        }
        Map<String, AttributeValue> stored = client.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        if (APPLIED.equals(str(stored, "state"))) {
            return Claim.of(Status.APPLIED);
        }
        AttributeValue heldUntil = stored.get("leaseUntil");
        if (heldUntil != null && Long.parseLong(heldUntil.n()) >= now.toEpochMilli()) {
            return Claim.of(Status.BUSY);
        }
        try {
            UpdateItemResponse taken = client.updateItem(b -> b.tableName(table).key(key)
                    .returnValues(ReturnValue.ALL_NEW)
                    .updateExpression("SET #owner = :owner, leaseUntil = :lease")
                    .conditionExpression("#state = :pending AND leaseUntil < :now")
                    .expressionAttributeNames(Map.of("#owner", "owner", "#state", "state"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":lease", n(leaseUntil.toEpochMilli()),
                            ":pending", s(PENDING), ":now", n(now.toEpochMilli()))));
            AttributeValue counted = taken.attributes().get("counted");
            return new Claim(Status.OWNED, counted == null ? Set.of() : Set.copyOf(counted.ss()), str(taken.attributes(), "lifecycle"));
        } catch (ConditionalCheckFailedException raced) {
            return Claim.of(Status.BUSY); // another copy took it (or applied it) between our read and our write
        }
    }

    @Override
    public void markCounted(EngagementEvent event, String eventKey, String owner, String step) {
        try {
            client.updateItem(b -> b.tableName(table).key(historyItemKey(event, eventKey))
                    .updateExpression("ADD counted :step")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":step", AttributeValue.fromSs(List.of(step)), ":owner", s(owner))));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("the lease on an engagement event was lost while applying it", e);
        }
    }

    @Override
    public void noteLifecycle(EngagementEvent event, String eventKey, String owner, String moves) {
        try {
            client.updateItem(b -> b.tableName(table).key(historyItemKey(event, eventKey))
                    .updateExpression("SET lifecycle = :moves")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":moves", s(moves), ":owner", s(owner))));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("the lease on an engagement event was lost while applying it", e);
        }
    }

    @Override
    public Set<String> applied(Map<String, EngagementEvent> eventsByKey) {
        Map<Map<String, AttributeValue>, String> keyOf = new HashMap<>();
        eventsByKey.forEach((eventKey, event) -> keyOf.put(historyItemKey(event, eventKey), eventKey));
        List<Map<String, AttributeValue>> pending = new ArrayList<>(keyOf.keySet());
        Set<String> applied = new HashSet<>();
        for (int start = 0; start < pending.size(); start += BATCH_GET) {
            List<Map<String, AttributeValue>> keys = pending.subList(start, Math.min(pending.size(), start + BATCH_GET));
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys)
                    .consistentRead(true).projectionExpression("pk, sk, #state")
                    .expressionAttributeNames(Map.of("#state", "state")).build());
            while (request != null && !request.isEmpty()) {
                Map<String, KeysAndAttributes> ask = request;
                BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(ask));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    if (APPLIED.equals(str(item, "state"))) {
                        applied.add(keyOf.get(Map.of("pk", item.get("pk"), "sk", item.get("sk"))));
                    }
                }
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : null;
            }
        }
        return applied;
    }

    @Override
    public void release(EngagementEvent event, String eventKey, String owner) {
        try {
            client.updateItem(b -> b.tableName(table).key(historyItemKey(event, eventKey))
                    .updateExpression("SET leaseUntil = :zero")
                    .conditionExpression("#owner = :owner AND #state = :pending")
                    .expressionAttributeNames(Map.of("#owner", "owner", "#state", "state"))
                    .expressionAttributeValues(Map.of(":zero", n(0), ":owner", s(owner), ":pending", s(PENDING))));
        } catch (ConditionalCheckFailedException e) {
            // not ours any more: nothing to give up
        }
    }

    @Override
    public void markApplied(EngagementEvent event, String eventKey, String owner) {
        try {
            client.updateItem(b -> b.tableName(table).key(historyItemKey(event, eventKey))
                    .updateExpression("SET #state = :applied REMOVE #owner, leaseUntil")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner", "#state", "state"))
                    .expressionAttributeValues(Map.of(":applied", s(APPLIED), ":owner", s(owner))));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("the lease on an engagement event was lost before it was marked applied", e);
        }
    }

    @Override
    public SubscriberEngagement engagement(EmailAddress email) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table)
                .key(Map.of("pk", s(subscriberKey(email)), "sk", s(STATE))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return SubscriberEngagement.none(email);
        }
        return engagementOf(email, item);
    }

    /**
     * The engagement rank of each of {@code emails} as of {@code now}, read in batches of 100 (BatchGetItem) rather
     * than one read each; those without engagement state rank as never engaged.
     */
    @Override
    public Map<EmailAddress, EngagementRank> ranks(List<EmailAddress> emails, Instant now) {
        Map<String, EmailAddress> byPk = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (EmailAddress email : emails) {
            if (byPk.putIfAbsent(subscriberKey(email), email) == null) {
                keys.add(Map.of("pk", s(subscriberKey(email)), "sk", s(STATE)));
            }
        }
        Map<EmailAddress, EngagementRank> ranks = new HashMap<>();
        for (EmailAddress email : byPk.values()) {
            ranks.put(email, EngagementRank.of(SubscriberEngagement.none(email), now));
        }
        for (Map<String, AttributeValue> item : Batches.get(client, table, keys)) {
            EmailAddress email = byPk.get(item.get("pk").s());
            if (email != null) {
                ranks.put(email, EngagementRank.of(engagementOf(email, item), now));
            }
        }
        return ranks;
    }

    /** The states of {@code emails}, read in batches of 100 (BatchGetItem); those never seen are absent. */
    @Override
    public Map<EmailAddress, SubscriberEngagement> states(List<EmailAddress> emails) {
        Map<String, EmailAddress> byPk = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (EmailAddress email : emails) {
            if (byPk.putIfAbsent(subscriberKey(email), email) == null) {
                keys.add(Map.of("pk", s(subscriberKey(email)), "sk", s(STATE)));
            }
        }
        Map<EmailAddress, SubscriberEngagement> states = new HashMap<>();
        for (Map<String, AttributeValue> item : Batches.get(client, table, keys)) {
            EmailAddress email = byPk.get(item.get("pk").s());
            if (email != null) {
                states.put(email, engagementOf(email, item));
            }
        }
        return states;
    }

    private SubscriberEngagement engagementOf(EmailAddress email, Map<String, AttributeValue> item) {
        List<String> recent = item.containsKey("recent")
                ? item.get("recent").l().stream().map(AttributeValue::s).toList() : List.of();
        return new SubscriberEngagement(email, dbl(item, "score"), instant(item, "scoreAt"), instant(item, "firstSeenAt"),
                instant(item, "lastActivityAt"), instant(item, "lastDeliveredAt"), instant(item, "lastSoftBounceAt"),
                (int) lng(item, "softBounceStreak"), lng(item, "opens"), lng(item, "clicks"), recent,
                item.containsKey("inLifecycle") && Boolean.TRUE.equals(item.get("inLifecycle").bool()), lng(item, "version"));
    }

    @Override
    public Map<EmailAddress, Tagged> tagged(java.util.Collection<EmailAddress> emails) {
        Map<String, EmailAddress> byPk = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        Map<EmailAddress, Tagged> states = new java.util.LinkedHashMap<>();
        for (EmailAddress email : emails) {
            states.put(email, new Tagged(SubscriberEngagement.none(email), List.of()));
            if (byPk.putIfAbsent(subscriberKey(email), email) == null) {
                keys.add(Map.of("pk", s(subscriberKey(email)), "sk", s(STATE)));
            }
        }
        for (Map<String, AttributeValue> item : Batches.get(client, table, keys)) {
            for (EmailAddress email : emails) {
                if (subscriberKey(email).equals(item.get("pk").s())) {
                    AttributeValue batches = item.get("batches");
                    states.put(email, new Tagged(engagementOf(email, item),
                            batches == null ? List.of() : batches.l().stream().map(AttributeValue::s).toList()));
                }
            }
        }
        return states;
    }

    @Override
    public boolean saveEngagement(SubscriberEngagement next) {
        return saveEngagement(next, List.of());
    }

    /** Writes the history entries whole, marked applied, 25 to a request (BatchWriteItem). */
    @Override
    public void recordApplied(Map<String, EngagementEvent> eventsByKey, Instant now) {
        List<software.amazon.awssdk.services.dynamodb.model.WriteRequest> writes = new ArrayList<>();
        eventsByKey.forEach((eventKey, event) -> {
            Map<String, AttributeValue> item = new HashMap<>(historyItemKey(event, eventKey));
            item.put("type", s(event.type().name()));
            item.put("provider", s(event.provider()));
            item.put("occurredAt", s(event.occurredAt().toString()));
            putIfPresent(item, "campaignId", event.campaignId());
            putIfPresent(item, "variant", event.variant());
            putIfPresent(item, "url", event.url());
            putIfPresent(item, "detail", event.detail());
            putIfPresent(item, "providerType", event.providerType());
            item.put("state", s(APPLIED));
            item.put("expiresAt", n(now.plus(retention).getEpochSecond()));
            writes.add(software.amazon.awssdk.services.dynamodb.model.WriteRequest.builder()
                    .putRequest(p -> p.item(item)).build());
        });
        Batches.write(client, table, writes);
    }

    /** As {@link #saveEngagement(SubscriberEngagement)}, with the tags of the batches that saved it last. */
    @Override
    public boolean saveEngagement(SubscriberEngagement next, List<String> batches) {
        Map<String, AttributeValue> item = new HashMap<>();
        if (!batches.isEmpty()) {
            item.put("batches", AttributeValue.fromL(batches.stream().map(AttributeValue::fromS).toList()));
        }
        item.put("pk", s(subscriberKey(next.email())));
        item.put("sk", s(STATE));
        item.put("score", AttributeValue.fromN(Double.toString(next.score())));
        putIfPresent(item, "scoreAt", next.scoreAt());
        putIfPresent(item, "firstSeenAt", next.firstSeenAt());
        putIfPresent(item, "lastActivityAt", next.lastActivityAt());
        putIfPresent(item, "lastDeliveredAt", next.lastDeliveredAt());
        putIfPresent(item, "lastSoftBounceAt", next.lastSoftBounceAt());
        item.put("softBounceStreak", n(next.softBounceStreak()));
        item.put("opens", n(next.opens()));
        item.put("clicks", n(next.clicks()));
        item.put("recent", AttributeValue.fromL(next.recentEvents().stream().map(AttributeValue::fromS).toList()));
        if (next.inLifecycle()) {
            item.put("inLifecycle", AttributeValue.fromBool(true));
        }
        item.put("version", n(next.version() + 1));
        try {
            if (next.version() == 0) {
                client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            } else {
                client.putItem(b -> b.tableName(table).item(item).conditionExpression("version = :v")
                        .expressionAttributeValues(Map.of(":v", n(next.version()))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean recordCampaignEvent(String campaignId, EmailAddress recipient, String counter, String eventKey) {
        Map<String, AttributeValue> key = Map.of("pk", s("cmp#" + campaignId), "sk", s(recipient.key()));
        Map<String, String> names = Map.of("#count", counter, "#first", "first_" + counter);
        try {
            UpdateItemResponse response = client.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("ADD #count :one, ids :key SET #first = if_not_exists(#first, :id), expiresAt = :exp")
                    .conditionExpression("attribute_not_exists(ids) OR NOT contains(ids, :id)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(":one", n(1), ":key", AttributeValue.fromSs(List.of(eventKey)),
                            ":id", s(eventKey), ":exp", n(Instant.now().plus(retention).getEpochSecond())))
                    .returnValues(ReturnValue.ALL_NEW));
            return eventKey.equals(response.attributes().get("first_" + counter).s());
        } catch (ConditionalCheckFailedException recorded) {
            Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
            AttributeValue first = item.get("first_" + counter);
            return first != null && eventKey.equals(first.s());
        }
    }

    @Override
    public HistoryPage history(EmailAddress email, String cursor, int limit) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":pk", s(subscriberKey(email)));
        values.put(":evt", s("evt#"));
        Map<String, AttributeValue> start = cursor == null ? null
                : Map.of("pk", s(subscriberKey(email)), "sk", s(decodeCursor(cursor)));
        QueryResponse response = client.query(b -> b.tableName(table)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :evt)")
                .expressionAttributeValues(values)
                .scanIndexForward(false)
                .limit(limit)
                .exclusiveStartKey(start));
        List<HistoryPage.Entry> entries = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            entries.add(new HistoryPage.Entry(instant(item, "occurredAt"), str(item, "type"), str(item, "provider"),
                    str(item, "campaignId"), str(item, "variant"), str(item, "url"), str(item, "detail"),
                    str(item, "providerType"), APPLIED.equals(str(item, "state"))));
        }
        Map<String, AttributeValue> last = response.lastEvaluatedKey();
        String next = last == null || last.isEmpty() || !response.hasLastEvaluatedKey() ? null : encodeCursor(last.get("sk").s());
        return new HistoryPage(entries, next);
    }

    /** The cursor is the last sort key, opaque to callers; anything that isn't one is refused. */
    private static String decodeCursor(String cursor) {
        try {
            String sk = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!sk.startsWith("evt#")) {
                throw new IllegalArgumentException("bad cursor");
            }
            return sk;
        } catch (IllegalArgumentException e) {
            throw new dev.dispatch.domain.InvalidInputException("cursor", "is not a cursor this API returned");
        }
    }

    private static String encodeCursor(String sk) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sk.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, AttributeValue> historyItemKey(EngagementEvent event, String eventKey) {
        return Map.of("pk", s(subscriberKey(event.recipient())), "sk", s(historyKey(event, eventKey)));
    }

    private static void putIfPresent(Map<String, AttributeValue> item, String name, Object value) {
        if (value != null) {
            item.put(name, s(value.toString()));
        }
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String value = str(item, name);
        return value == null ? null : Instant.parse(value);
    }

    private static long lng(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? 0 : Long.parseLong(value.n());
    }

    private static double dbl(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? 0 : Double.parseDouble(value.n());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
