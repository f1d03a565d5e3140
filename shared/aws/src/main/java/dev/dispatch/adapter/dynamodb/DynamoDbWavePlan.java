package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.campaign.SendTimePlanner.Entry;
import dev.dispatch.domain.campaign.WavePlan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Send-time campaigns' wave plans in the Control table, under {@code pk = waves#<campaign>}: the pages
 * ({@code sk = page#<8 digits>}, each written once with {@code attribute_not_exists}) and the progress
 * ({@code sk = progress}, moved on its version, holding the waves). A page entry (address, variant, zone, minute,
 * domain) is about 100 bytes: a page of 1,000 stays well within an item's 400 KB.
 */
public class DynamoDbWavePlan implements WavePlan {
    private final DynamoDbClient client;
    private final String table;

    public DynamoDbWavePlan(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String campaignId, String sk) {
        return Map.of("pk", AttributeValue.fromS("waves#" + campaignId), "sk", AttributeValue.fromS(sk));
    }

    private static String pageKey(int number) {
        return String.format("page#%08d", number);
    }

    private Optional<Map<String, AttributeValue>> get(String campaignId, String sk) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(key(campaignId, sk))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    @Override
    public boolean putPage(String campaignId, int number, Page page) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, pageKey(number)));
        List<AttributeValue> entries = new ArrayList<>(page.entries().size());
        for (Entry e : page.entries()) {
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("e", AttributeValue.fromS(e.key()));
            if (e.variant() != null) {
                m.put("v", AttributeValue.fromS(e.variant()));
            }
            m.put("z", AttributeValue.fromS(e.zone()));
            if (e.minuteOfDay() != null) {
                m.put("m", AttributeValue.fromN(Integer.toString(e.minuteOfDay())));
            }
            m.put("d", AttributeValue.fromS(e.domain()));
            entries.add(AttributeValue.fromM(m));
        }
        item.put("entries", AttributeValue.fromL(entries));
        item.put("coversUpTo", AttributeValue.fromS(page.coversUpTo()));
        item.put("skippedSuppressed", AttributeValue.fromN(Integer.toString(page.skippedSuppressed())));
        item.put("skippedExcluded", AttributeValue.fromN(Integer.toString(page.skippedExcluded())));
        try {
            client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Page> page(String campaignId, int number) {
        return get(campaignId, pageKey(number)).map(item -> {
            List<Entry> entries = new ArrayList<>();
            for (AttributeValue v : item.get("entries").l()) {
                Map<String, AttributeValue> m = v.m();
                entries.add(new Entry(m.get("e").s(), m.containsKey("v") ? m.get("v").s() : null, m.get("z").s(),
                        m.containsKey("m") ? Integer.valueOf(m.get("m").n()) : null, m.get("d").s()));
            }
            return new Page(entries, item.get("coversUpTo").s(), Integer.parseInt(item.get("skippedSuppressed").n()),
                    Integer.parseInt(item.get("skippedExcluded").n()));
        });
    }

    @Override
    public Progress progress(String campaignId) {
        return get(campaignId, "progress").map(item -> {
            List<Wave> waves = new ArrayList<>();
            if (item.containsKey("waves")) {
                for (AttributeValue v : item.get("waves").l()) {
                    Map<String, AttributeValue> m = v.m();
                    waves.add(new Wave(Instant.parse(m.get("at").s()), Integer.parseInt(m.get("n").n()),
                            m.containsKey("enqueuedAt") ? Instant.parse(m.get("enqueuedAt").s()) : null));
                }
            }
            return new Progress(
                    item.containsKey("afterEmail") ? item.get("afterEmail").s() : null,
                    Integer.parseInt(item.get("nextPage").n()),
                    item.get("collected").bool(),
                    Instant.parse(item.get("start").s()),
                    waves,
                    item.containsKey("releasedThrough") ? item.get("releasedThrough").s() : null,
                    Integer.parseInt(item.get("nextBatch").n()),
                    Long.parseLong(item.get("version").n()));
        }).orElse(Progress.START);
    }

    @Override
    public boolean advance(String campaignId, Progress expected, Progress next) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, "progress"));
        if (next.afterEmail() != null) {
            item.put("afterEmail", AttributeValue.fromS(next.afterEmail()));
        }
        item.put("nextPage", AttributeValue.fromN(Integer.toString(next.nextPage())));
        item.put("collected", AttributeValue.fromBool(next.collected()));
        item.put("start", AttributeValue.fromS(next.start().toString()));
        List<AttributeValue> waves = new ArrayList<>();
        for (Wave w : next.waves()) {
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("at", AttributeValue.fromS(w.at().toString()));
            m.put("n", AttributeValue.fromN(Integer.toString(w.recipients())));
            if (w.enqueuedAt() != null) {
                m.put("enqueuedAt", AttributeValue.fromS(w.enqueuedAt().toString()));
            }
            waves.add(AttributeValue.fromM(m));
        }
        item.put("waves", AttributeValue.fromL(waves));
        if (next.releasedThrough() != null) {
            item.put("releasedThrough", AttributeValue.fromS(next.releasedThrough()));
        }
        item.put("nextBatch", AttributeValue.fromN(Integer.toString(next.nextBatch())));
        item.put("version", AttributeValue.fromN(Long.toString(expected.version() + 1)));
        try {
            if (expected.version() == 0) {
                client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            } else {
                client.putItem(b -> b.tableName(table).item(item).conditionExpression("#version = :expected")
                        .expressionAttributeNames(Map.of("#version", "version"))
                        .expressionAttributeValues(Map.of(":expected",
                                AttributeValue.fromN(Long.toString(expected.version())))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
