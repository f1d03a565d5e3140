package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.campaign.WarmingPool;
import dev.dispatch.domain.warming.EngagementRank;
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
 * Campaigns' warming pools in the Control table, under {@code pk = warmpool#<campaign>}: the mode ({@code sk = mode},
 * written once), the pages ({@code sk = page#<8 digits>}, each written once with {@code attribute_not_exists}) and the
 * progress ({@code sk = progress}, moved on its version). A page holds up to a page size of entries (address,
 * variant, score, last activity), about 100 bytes each, well within an item's 400 KB at the default 1,000.
 */
public class DynamoDbWarmingPool implements WarmingPool {
    private final DynamoDbClient client;
    private final String table;

    public DynamoDbWarmingPool(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String campaignId, String sk) {
        return Map.of("pk", AttributeValue.fromS("warmpool#" + campaignId), "sk", AttributeValue.fromS(sk));
    }

    private static String pageKey(int number) {
        return String.format("page#%08d", number);
    }

    private Optional<Map<String, AttributeValue>> get(String campaignId, String sk) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(key(campaignId, sk))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    private boolean putNew(Map<String, AttributeValue> item) {
        try {
            client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Mode> mode(String campaignId) {
        return get(campaignId, "mode").map(item -> item.get("pooled").bool()
                ? Mode.pooledBy(item.get("plan").s()) : Mode.NORMAL);
    }

    @Override
    public Mode fixMode(String campaignId, Mode proposed) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, "mode"));
        item.put("pooled", AttributeValue.fromBool(proposed.pooled()));
        if (proposed.plan() != null) {
            item.put("plan", AttributeValue.fromS(proposed.plan()));
        }
        if (putNew(item)) {
            return proposed;
        }
        return mode(campaignId).orElseThrow();
    }

    @Override
    public boolean putPage(String campaignId, int number, Page page) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, pageKey(number)));
        List<AttributeValue> entries = new ArrayList<>(page.entries().size());
        for (Entry e : page.entries()) {
            Map<String, AttributeValue> m = new HashMap<>();
            m.put("e", AttributeValue.fromS(e.rank().key()));
            if (e.variant() != null) {
                m.put("v", AttributeValue.fromS(e.variant()));
            }
            m.put("s", AttributeValue.fromN(Double.toString(e.rank().score())));
            if (e.rank().lastActivityAt() != null) {
                m.put("a", AttributeValue.fromS(e.rank().lastActivityAt().toString()));
            }
            entries.add(AttributeValue.fromM(m));
        }
        item.put("entries", AttributeValue.fromL(entries));
        item.put("coversUpTo", AttributeValue.fromS(page.coversUpTo()));
        item.put("skippedSuppressed", AttributeValue.fromN(Integer.toString(page.skippedSuppressed())));
        item.put("skippedExcluded", AttributeValue.fromN(Integer.toString(page.skippedExcluded())));
        return putNew(item);
    }

    @Override
    public Optional<Page> page(String campaignId, int number) {
        return get(campaignId, pageKey(number)).map(item -> {
            List<Entry> entries = new ArrayList<>();
            for (AttributeValue v : item.get("entries").l()) {
                Map<String, AttributeValue> m = v.m();
                entries.add(new Entry(new EngagementRank(m.get("e").s(), Double.parseDouble(m.get("s").n()),
                        m.containsKey("a") ? Instant.parse(m.get("a").s()) : null),
                        m.containsKey("v") ? m.get("v").s() : null));
            }
            return new Page(entries, item.get("coversUpTo").s(), Integer.parseInt(item.get("skippedSuppressed").n()),
                    Integer.parseInt(item.get("skippedExcluded").n()));
        });
    }

    @Override
    public Progress progress(String campaignId) {
        return get(campaignId, "progress").map(item -> new Progress(
                item.containsKey("afterEmail") ? item.get("afterEmail").s() : null,
                Integer.parseInt(item.get("nextPage").n()),
                item.get("collected").bool(),
                item.containsKey("releasedThrough") ? item.get("releasedThrough").s() : null,
                Integer.parseInt(item.get("nextBatch").n()),
                Long.parseLong(item.get("version").n()))).orElse(Progress.START);
    }

    @Override
    public boolean advance(String campaignId, Progress expected, Progress next) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, "progress"));
        if (next.afterEmail() != null) {
            item.put("afterEmail", AttributeValue.fromS(next.afterEmail()));
        }
        item.put("nextPage", AttributeValue.fromN(Integer.toString(next.nextPage())));
        item.put("collected", AttributeValue.fromBool(next.collected()));
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
