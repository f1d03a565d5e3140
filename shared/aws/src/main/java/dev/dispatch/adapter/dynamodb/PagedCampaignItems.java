package dev.dispatch.adapter.dynamodb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * One campaign's partition in the Control table ({@code pk = <prefix><campaign>}) holding a paged audience walk:
 * numbered pages ({@code sk = page#<8 digits>}, each written once with {@code attribute_not_exists}, so a re-run keeps
 * the stored one) and one progress item ({@code sk = progress}) moved only from the version it was read at. The
 * warming pool and the send-time wave plan both keep their audience this way; each maps its own entries and adds its
 * own progress fields.
 */
final class PagedCampaignItems {
    /** A page: its entries, the walk position it ends at, and what the walk skipped on it. */
    record Page<T>(List<T> entries, String coversUpTo, int skippedSuppressed, int skippedExcluded) {}

    /** The progress fields every walk has; {@code version} 0 is a progress never written. */
    record Walk(String afterEmail, int nextPage, boolean collected, String releasedThrough, int nextBatch, long version) {}

    private final DynamoDbClient client;
    private final String table;
    private final String prefix;

    PagedCampaignItems(DynamoDbClient client, String table, String prefix) {
        this.client = client;
        this.table = table;
        this.prefix = prefix;
    }

    Map<String, AttributeValue> key(String campaignId, String sk) {
        return Map.of("pk", AttributeValue.fromS(prefix + campaignId), "sk", AttributeValue.fromS(sk));
    }

    Optional<Map<String, AttributeValue>> get(String campaignId, String sk) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(key(campaignId, sk))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    /** Writes the item only if none is stored under its key; false if one was. */
    boolean putNew(Map<String, AttributeValue> item) {
        try {
            client.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    <T> boolean putPage(String campaignId, int number, Page<T> page, Function<T, Map<String, AttributeValue>> entry) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, pageKey(number)));
        List<AttributeValue> entries = new ArrayList<>(page.entries().size());
        for (T e : page.entries()) {
            entries.add(AttributeValue.fromM(entry.apply(e)));
        }
        item.put("entries", AttributeValue.fromL(entries));
        item.put("coversUpTo", AttributeValue.fromS(page.coversUpTo()));
        item.put("skippedSuppressed", AttributeValue.fromN(Integer.toString(page.skippedSuppressed())));
        item.put("skippedExcluded", AttributeValue.fromN(Integer.toString(page.skippedExcluded())));
        return putNew(item);
    }

    <T> Optional<Page<T>> page(String campaignId, int number, Function<Map<String, AttributeValue>, T> entry) {
        return get(campaignId, pageKey(number)).map(item -> {
            List<T> entries = new ArrayList<>();
            for (AttributeValue v : item.get("entries").l()) {
                entries.add(entry.apply(v.m()));
            }
            return new Page<>(entries, item.get("coversUpTo").s(), Integer.parseInt(item.get("skippedSuppressed").n()),
                    Integer.parseInt(item.get("skippedExcluded").n()));
        });
    }

    /** The stored progress item, if any; {@link #walk} reads its common fields. */
    Optional<Map<String, AttributeValue>> progress(String campaignId) {
        return get(campaignId, "progress");
    }

    static Walk walk(Map<String, AttributeValue> item) {
        return new Walk(string(item, "afterEmail"), Integer.parseInt(item.get("nextPage").n()), item.get("collected").bool(),
                string(item, "releasedThrough"), Integer.parseInt(item.get("nextBatch").n()),
                Long.parseLong(item.get("version").n()));
    }

    /**
     * Moves the progress from {@code expectedVersion} to the walk's fields plus {@code own} (the caller's other
     * fields); false if another run moved it first (or wrote it first, from version 0).
     */
    boolean advance(String campaignId, long expectedVersion, Walk next, Map<String, AttributeValue> own) {
        Map<String, AttributeValue> item = new HashMap<>(key(campaignId, "progress"));
        item.putAll(own);
        if (next.afterEmail() != null) {
            item.put("afterEmail", AttributeValue.fromS(next.afterEmail()));
        }
        item.put("nextPage", AttributeValue.fromN(Integer.toString(next.nextPage())));
        item.put("collected", AttributeValue.fromBool(next.collected()));
        if (next.releasedThrough() != null) {
            item.put("releasedThrough", AttributeValue.fromS(next.releasedThrough()));
        }
        item.put("nextBatch", AttributeValue.fromN(Integer.toString(next.nextBatch())));
        item.put("version", AttributeValue.fromN(Long.toString(expectedVersion + 1)));
        if (expectedVersion == 0) {
            return putNew(item);
        }
        try {
            client.putItem(b -> b.tableName(table).item(item).conditionExpression("#version = :expected")
                    .expressionAttributeNames(Map.of("#version", "version"))
                    .expressionAttributeValues(Map.of(":expected", AttributeValue.fromN(Long.toString(expectedVersion)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** A string attribute, or null when absent. */
    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static String pageKey(int number) {
        return String.format("page#%08d", number);
    }
}
