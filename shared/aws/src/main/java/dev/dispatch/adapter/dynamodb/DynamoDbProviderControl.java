package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.routing.CallTally;
import dev.dispatch.domain.routing.CircuitState;
import dev.dispatch.domain.routing.ProviderControl;
import dev.dispatch.domain.routing.ProviderHealth;
import dev.dispatch.domain.routing.ProviderOverride;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Provider health, overrides and their audit in the control table (key {@code pk}, {@code sk}):
 * <ul>
 *   <li>{@code health#<provider>} / {@code health}: {@code state}, {@code openedAt}, {@code closedAt}, the probe's
 *       {@code probeOwner} and {@code probeUntil}, totals {@code opens}, {@code failovers}, {@code lastFailoverAt}, and
 *       the rolling window as buckets of a sixth of the window: {@code c<start>} calls, {@code f<start>} failures,
 *       {@code o<start>} failovers (start in epoch seconds), moved by ADD. Buckets older than the window are removed
 *       by a later write; a window counts only buckets since the breaker last closed.</li>
 *   <li>{@code override#<provider>} / {@code override}: {@code enabled}, {@code weight}, {@code at}, {@code by}.</li>
 *   <li>{@code audit#providers} / {@code <instant>#<random>}: one item per change, written before the override.</li>
 * </ul>
 * Times are epoch milliseconds. dynalite has no transactions: every transition is one conditional write.
 */
public class DynamoDbProviderControl implements ProviderControl {
    static final String HEALTH_SK = "health";
    static final String OVERRIDE_SK = "override";
    static final String AUDIT_PK = "audit#providers";
    private static final Duration AUDIT_RETENTION = Duration.ofDays(400);

    private final DynamoDbClient client;
    private final String table;
    /** Bucket attributes seen older than the window, per provider: removed with this instance's next write. */
    private final Map<String, Set<String>> stale = new ConcurrentHashMap<>();

    public DynamoDbProviderControl(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    @Override
    public Snapshot read(Collection<String> providers, Instant now, Duration window) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String p : providers) {
            keys.add(key("health#" + p, HEALTH_SK));
            keys.add(key("override#" + p, OVERRIDE_SK));
        }
        Map<String, ProviderHealth> health = new HashMap<>();
        Map<String, ProviderOverride> overrides = new HashMap<>();
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys).build());
        for (int attempt = 0; !request.isEmpty() && attempt < 5; attempt++) {
            Map<String, KeysAndAttributes> pending = request;
            BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(pending));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                String pk = item.get("pk").s();
                if (pk.startsWith("health#")) {
                    ProviderHealth h = toHealth(pk.substring(7), item, now, window);
                    health.put(h.provider(), h);
                } else if (pk.startsWith("override#")) {
                    ProviderOverride o = toOverride(pk.substring(9), item);
                    overrides.put(o.provider(), o);
                }
            }
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return new Snapshot(health, overrides);
    }

    @Override
    public ProviderHealth record(String provider, CallTally tally, Instant now, Duration window) {
        long bucket = bucketStart(now, window);
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> adds = new ArrayList<>();
        addCounter(adds, names, values, "c", "c" + bucket, tally.calls());
        addCounter(adds, names, values, "f", "f" + bucket, tally.failures());
        addCounter(adds, names, values, "o", "o" + bucket, tally.failovers());
        addCounter(adds, names, values, "fo", "failovers", tally.failovers());
        StringBuilder update = new StringBuilder();
        if (!adds.isEmpty()) {
            update.append("ADD ").append(String.join(", ", adds));
        }
        if (tally.failovers() > 0) {
            update.append(" SET lastFailoverAt = :now");
            values.put(":now", n(now.toEpochMilli()));
        }
        Set<String> old = stale.remove(provider);
        if (old != null && !old.isEmpty()) {
            List<String> removes = new ArrayList<>();
            int i = 0;
            for (String attribute : old) {
                if (attribute.endsWith(Long.toString(bucket))) {
                    continue;
                }
                names.put("#r" + i, attribute);
                removes.add("#r" + i++);
            }
            if (!removes.isEmpty()) {
                update.append(" REMOVE ").append(String.join(", ", removes));
            }
        }
        if (update.isEmpty()) {
            return read(List.of(provider), now, window).health(provider);
        }
        var response = client.updateItem(b -> b.tableName(table).key(key("health#" + provider, HEALTH_SK))
                .updateExpression(update.toString().trim())
                .expressionAttributeNames(names.isEmpty() ? null : names)
                .expressionAttributeValues(values.isEmpty() ? null : values)
                .returnValues(ReturnValue.ALL_NEW));
        return toHealth(provider, response.attributes(), now, window);
    }

    private static void addCounter(List<String> adds, Map<String, String> names, Map<String, AttributeValue> values,
            String alias, String attribute, long amount) {
        if (amount == 0) {
            return;
        }
        names.put("#" + alias, attribute);
        values.put(":" + alias, n(amount));
        adds.add("#" + alias + " :" + alias);
    }

    @Override
    public boolean open(String provider, Instant now) {
        return conditional(provider, "SET #state = :open, openedAt = :now ADD opens :one",
                "attribute_not_exists(#state) OR #state = :closed",
                Map.of(":open", s(CircuitState.OPEN.name()), ":closed", s(CircuitState.CLOSED.name()),
                        ":now", n(now.toEpochMilli()), ":one", n(1)));
    }

    @Override
    public boolean claimProbe(String provider, ProviderHealth seen, String owner, Instant now, Instant until) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":half", s(CircuitState.HALF_OPEN.name()),
                ":owner", s(owner), ":until", n(until.toEpochMilli())));
        String condition;
        if (seen.state() == CircuitState.OPEN) {
            // Only the instance that saw this very opening wins: a re-opening in between changes openedAt.
            values.put(":open", s(CircuitState.OPEN.name()));
            if (seen.openedAt() == null) {
                condition = "#state = :open AND attribute_not_exists(openedAt)";
            } else {
                condition = "#state = :open AND openedAt = :openedAt";
                values.put(":openedAt", n(seen.openedAt().toEpochMilli()));
            }
        } else if (seen.state() == CircuitState.HALF_OPEN) {
            condition = "#state = :half AND probeUntil < :now"; // the previous prober's time ran out
            values.put(":now", n(now.toEpochMilli()));
        } else {
            return false;
        }
        return conditional(provider, "SET #state = :half, probeOwner = :owner, probeUntil = :until", condition, values);
    }

    @Override
    public void settleProbe(String provider, String owner, boolean succeeded, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":half", s(CircuitState.HALF_OPEN.name()),
                ":owner", s(owner), ":now", n(now.toEpochMilli())));
        String update;
        if (succeeded) {
            values.put(":closed", s(CircuitState.CLOSED.name()));
            update = "SET #state = :closed, closedAt = :now REMOVE probeOwner, probeUntil";
        } else {
            values.put(":open", s(CircuitState.OPEN.name()));
            values.put(":one", n(1));
            update = "SET #state = :open, openedAt = :now ADD opens :one REMOVE probeOwner, probeUntil";
        }
        conditional(provider, update, "#state = :half AND probeOwner = :owner", values);
    }

    @Override
    public void returnProbe(String provider, String owner, Instant openedAt) {
        conditional(provider, "SET #state = :open REMOVE probeOwner, probeUntil", "#state = :half AND probeOwner = :owner",
                Map.of(":open", s(CircuitState.OPEN.name()), ":half", s(CircuitState.HALF_OPEN.name()), ":owner", s(owner)));
    }

    private boolean conditional(String provider, String update, String condition, Map<String, AttributeValue> values) {
        try {
            client.updateItem(b -> b.tableName(table).key(key("health#" + provider, HEALTH_SK))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false; // another instance moved the breaker first
        }
    }

    @Override
    public ProviderOverride override(ProviderOverride change) {
        var current = client.getItem(b -> b.tableName(table).key(key("override#" + change.provider(), OVERRIDE_SK))
                .consistentRead(true));
        ProviderOverride merged = current.hasItem() && !current.item().isEmpty()
                ? toOverride(change.provider(), current.item()).merge(change) : change;
        // The audit entry first: a change that is in effect has always been recorded.
        Map<String, AttributeValue> audit = overrideItem(change);
        audit.put("pk", s(AUDIT_PK));
        audit.put("sk", s(change.at() + "#" + UUID.randomUUID().toString().substring(0, 8)));
        audit.put("provider", s(change.provider()));
        audit.put("expiresAt", n(change.at().plus(AUDIT_RETENTION).getEpochSecond()));
        client.putItem(b -> b.tableName(table).item(audit));
        Map<String, AttributeValue> item = overrideItem(merged);
        item.putAll(key("override#" + change.provider(), OVERRIDE_SK));
        client.putItem(b -> b.tableName(table).item(item));
        return merged;
    }

    @Override
    public List<ProviderOverride> audit(int limit) {
        var response = client.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s(AUDIT_PK))).scanIndexForward(false).limit(limit));
        return response.items().stream().map(item -> toOverride(item.get("provider").s(), item)).toList();
    }

    private static Map<String, AttributeValue> overrideItem(ProviderOverride o) {
        Map<String, AttributeValue> item = new HashMap<>();
        if (o.enabled() != null) {
            item.put("enabled", AttributeValue.fromBool(o.enabled()));
        }
        if (o.weight() != null) {
            item.put("weight", n(o.weight()));
        }
        item.put("at", n(o.at().toEpochMilli()));
        item.put("by", s(o.by()));
        return item;
    }

    private static ProviderOverride toOverride(String provider, Map<String, AttributeValue> item) {
        return new ProviderOverride(provider,
                item.containsKey("enabled") ? item.get("enabled").bool() : null,
                item.containsKey("weight") ? Integer.valueOf(item.get("weight").n()) : null,
                item.containsKey("at") ? Instant.ofEpochMilli(Long.parseLong(item.get("at").n())) : null,
                item.containsKey("by") ? item.get("by").s() : null);
    }

    private ProviderHealth toHealth(String provider, Map<String, AttributeValue> item, Instant now, Duration window) {
        long bucketSeconds = bucketSeconds(window);
        long nowSeconds = now.getEpochSecond();
        Instant closedAt = time(item, "closedAt");
        long since = closedAt == null ? Long.MIN_VALUE : closedAt.getEpochSecond() - closedAt.getEpochSecond() % bucketSeconds;
        long calls = 0;
        long failures = 0;
        long failovers = 0;
        Set<String> old = ConcurrentHashMap.newKeySet();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            String name = e.getKey();
            if (name.length() < 2 || "cfo".indexOf(name.charAt(0)) < 0 || !name.substring(1).chars().allMatch(Character::isDigit)) {
                continue;
            }
            long start = Long.parseLong(name.substring(1));
            if (start + bucketSeconds <= nowSeconds - window.toSeconds()) {
                old.add(name);
                continue;
            }
            if (start < since) {
                continue; // before the breaker last closed: that trouble was settled by a successful probe
            }
            long value = Long.parseLong(e.getValue().n());
            switch (name.charAt(0)) {
                case 'c' -> calls += value;
                case 'f' -> failures += value;
                default -> failovers += value;
            }
        }
        if (!old.isEmpty()) {
            stale.put(provider, old);
        }
        AttributeValue state = item.get("state");
        return new ProviderHealth(provider, state == null ? CircuitState.CLOSED : CircuitState.valueOf(state.s()),
                time(item, "openedAt"), item.containsKey("probeOwner") ? item.get("probeOwner").s() : null,
                time(item, "probeUntil"), calls, failures, failovers, number(item, "opens"), number(item, "failovers"),
                time(item, "lastFailoverAt"));
    }

    private static long bucketSeconds(Duration window) {
        return Math.max(1, window.toSeconds() / 6);
    }

    private static long bucketStart(Instant now, Duration window) {
        long size = bucketSeconds(window);
        long seconds = now.getEpochSecond();
        return seconds - seconds % size;
    }

    private static Instant time(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Instant.ofEpochMilli(Long.parseLong(item.get(name).n())) : null;
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Long.parseLong(item.get(name).n()) : 0;
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return new HashMap<>(Map.of("pk", s(pk), "sk", s(sk)));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
