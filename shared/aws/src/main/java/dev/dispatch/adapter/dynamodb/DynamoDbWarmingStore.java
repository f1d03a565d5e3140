package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.warming.PlanState;
import dev.dispatch.domain.warming.PlanStatus;
import dev.dispatch.domain.warming.WarmingDecision;
import dev.dispatch.domain.warming.WarmingStore;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Warming plans in the Control table, under {@code pk = warming#<plan>}: the plan's state with its latest decisions
 * in one item ({@code sk = state}), written as a whole and only if its version is unchanged, so a decision is stored
 * exactly when the state it led to is; and each UTC day's released volume ({@code sk = usage#<yyyy-mm-dd>}), a
 * counter moved by conditional ADD that never passes the allowance, whoever reserves at the same time.
 */
public class DynamoDbWarmingStore implements WarmingStore {
    private static final String STATE = "state";
    private static final int RESERVE_ATTEMPTS = 10;
    /** Usage counters are only read for today and the API's view; they expire after this (TTL). */
    private static final long USAGE_KEPT_SECONDS = 90L * 24 * 3600;

    private final DynamoDbClient client;
    private final String table;

    public DynamoDbWarmingStore(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String plan, String sk) {
        return Map.of("pk", AttributeValue.fromS("warming#" + plan), "sk", AttributeValue.fromS(sk));
    }

    @Override
    public Optional<PlanState> find(String plan) {
        GetItemResponse r = client.getItem(b -> b.tableName(table).key(key(plan, STATE)).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = r.item();
        List<WarmingDecision> decisions = new ArrayList<>();
        if (item.containsKey("decisions")) {
            for (AttributeValue v : item.get("decisions").l()) {
                decisions.add(decision(plan, v.m()));
            }
        }
        return Optional.of(new PlanState(plan, PlanStatus.fromWire(item.get("status").s()),
                Integer.parseInt(item.get("day").n()), LocalDate.parse(item.get("dayOf").s()),
                item.containsKey("lastStepBackOn") ? LocalDate.parse(item.get("lastStepBackOn").s()) : null,
                decisions, Long.parseLong(item.get("version").n())));
    }

    @Override
    public boolean save(PlanState next) {
        Map<String, AttributeValue> item = new HashMap<>(key(next.plan(), STATE));
        item.put("status", AttributeValue.fromS(next.status().wireName()));
        item.put("day", AttributeValue.fromN(Integer.toString(next.day())));
        item.put("dayOf", AttributeValue.fromS(next.dayOf().toString()));
        if (next.lastStepBackOn() != null) {
            item.put("lastStepBackOn", AttributeValue.fromS(next.lastStepBackOn().toString()));
        }
        item.put("version", AttributeValue.fromN(Long.toString(next.version() + 1)));
        List<AttributeValue> decisions = new ArrayList<>();
        for (WarmingDecision d : next.decisions()) {
            decisions.add(AttributeValue.fromM(item(d)));
        }
        item.put("decisions", AttributeValue.fromL(decisions));
        try {
            if (next.version() == 0) {
                client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            } else {
                client.putItem(b -> b.tableName(table).item(item).conditionExpression("#v = :expected")
                        .expressionAttributeNames(Map.of("#v", "version"))
                        .expressionAttributeValues(Map.of(":expected", AttributeValue.fromN(Long.toString(next.version())))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public long reserve(String plan, LocalDate day, long wanted, long allowance) {
        long ask = Math.min(wanted, allowance);
        for (int attempt = 0; attempt < RESERVE_ATTEMPTS && ask > 0; attempt++) {
            long n = ask;
            try {
                // ADD only while the total stays within the allowance: concurrent reservers never overshoot it.
                client.updateItem(b -> b.tableName(table).key(key(plan, "usage#" + day))
                        .updateExpression("ADD used :n SET expiresAt = if_not_exists(expiresAt, :exp)")
                        .conditionExpression("attribute_not_exists(used) OR used <= :limit")
                        .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Long.toString(n)),
                                ":limit", AttributeValue.fromN(Long.toString(allowance - n)),
                                ":exp", AttributeValue.fromN(Long.toString(Instant.now().getEpochSecond() + USAGE_KEPT_SECONDS)))));
                return n;
            } catch (ConditionalCheckFailedException e) {
                ask = Math.min(wanted, allowance - used(plan, day));
            }
        }
        return 0;
    }

    @Override
    public long used(String plan, LocalDate day) {
        GetItemResponse r = client.getItem(b -> b.tableName(table).key(key(plan, "usage#" + day)).consistentRead(true));
        return r.hasItem() && r.item().containsKey("used") ? Long.parseLong(r.item().get("used").n()) : 0;
    }

    private static Map<String, AttributeValue> item(WarmingDecision d) {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        m.put("at", AttributeValue.fromS(d.at().toString()));
        m.put("action", AttributeValue.fromS(d.action().wireName()));
        m.put("reason", AttributeValue.fromS(d.reason()));
        m.put("by", AttributeValue.fromS(d.by()));
        m.put("dayBefore", AttributeValue.fromN(Integer.toString(d.dayBefore())));
        m.put("dayAfter", AttributeValue.fromN(Integer.toString(d.dayAfter())));
        Map<String, AttributeValue> figures = new LinkedHashMap<>();
        d.figures().forEach((k, v) -> figures.put(k, AttributeValue.fromN(number(v))));
        m.put("figures", AttributeValue.fromM(figures));
        return m;
    }

    private static WarmingDecision decision(String plan, Map<String, AttributeValue> m) {
        Map<String, Double> figures = new LinkedHashMap<>();
        if (m.containsKey("figures")) {
            m.get("figures").m().forEach((k, v) -> figures.put(k, Double.parseDouble(v.n())));
        }
        return new WarmingDecision(Instant.parse(m.get("at").s()), plan, WarmingDecision.Action.fromWire(m.get("action").s()),
                m.get("reason").s(), m.get("by").s(), Integer.parseInt(m.get("dayBefore").n()),
                Integer.parseInt(m.get("dayAfter").n()), figures);
    }

    private static String number(double v) {
        return Double.isFinite(v) ? java.math.BigDecimal.valueOf(v).toPlainString() : "0";
    }
}
