package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.campaign.LedgerBatch;
import dev.dispatch.domain.campaign.RecipientResult;
import dev.dispatch.domain.privacy.PersonalData;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A person's records in every table that holds per-address data:
 * <ul>
 *   <li>Subscribers (the profile) and Suppressions, under the identity and the legacy key;</li>
 *   <li>SegmentMembers: the entries of the segments the profile names (an entry left behind by a crash for a
 *       segment the profile no longer names is not found);</li>
 *   <li>Engagement: the {@code sub#<email>} partition (state and history) and each campaign's
 *       {@code cmp#<campaign>} entry of the address;</li>
 *   <li>SendLedger: batches hold many recipients each ({@code recipients}: the addresses with their variant,
 *       {@code results} keyed by address, {@code inflight}, {@code coversUpTo}: the last address of the batch's
 *       range). There is no index by address, so they are found by one Scan of the ledger (its items expire
 *       after the retention period, which bounds it);</li>
 *   <li>Campaigns: the enqueue cursor {@code afterEmail}, an address.</li>
 * </ul>
 *
 * <p>The ledger redaction rule (exactly once must hold for campaigns still sending): the person's entry is
 * replaced in place by the erased key, keeping its slot, and it always gets a result (the one it had, or
 * {@code suppressed}/"erased" if it had none, or {@code unknown} if a crashed call left it in flight), so no later
 * owner of the batch ever sends it. A batch is redacted only while nobody holds it ({@code state} is not
 * {@code CLAIMED}): an owner rewrites the whole results map, and its writes are conditioned on its claim, so a
 * redaction under the same condition can't be lost or interleaved. Concurrent redactions of one batch are ordered
 * by a version ({@code redactions}). A batch held right now, a campaign cursor or a batch range bound equal to the
 * address while the campaign is still enqueueing (the next page is read from it) are reported as waiting; the
 * erasure is then run again. Campaign counters are not changed by a redaction.
 */
public class DynamoDbPersonalData implements PersonalData {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final DynamoDbClient client;
    private final SubscriberTables tables;
    private final String campaigns;
    private final String ledger;
    private final String engagement;

    public DynamoDbPersonalData(DynamoDbClient client, SubscriberTables tables, String campaigns, String ledger,
            String engagement) {
        this.client = client;
        this.tables = tables;
        this.campaigns = campaigns;
        this.ledger = ledger;
        this.engagement = engagement;
    }

    // ------------------------------------------------------------------------------------------------ export

    @Override
    public Map<String, Object> export(EmailAddress email) {
        Map<String, Object> document = new LinkedHashMap<>();
        List<Map<String, AttributeValue>> profiles = getAll(tables.subscribers(), email);
        document.put("profile", profiles.isEmpty() ? Map.of() : plain(profiles.get(0)));
        document.put("memberships", memberships(profiles).stream().map(m -> m.get("segment").s()).distinct().toList());
        document.put("suppressions", getAll(tables.suppressions(), email).stream().map(DynamoDbPersonalData::plain).toList());
        Map<String, Object> engagementState = new LinkedHashMap<>();
        List<Object> history = new ArrayList<>();
        for (Map<String, AttributeValue> item : engagementPartition(email)) {
            if ("state".equals(item.get("sk").s())) {
                engagementState.putAll(plain(item));
            } else {
                history.add(plain(item));
            }
        }
        document.put("engagement", engagementState);
        document.put("history", history);
        Map<String, Map<String, AttributeValue>> campaignItems = campaignItems();
        List<Object> campaignEvents = new ArrayList<>();
        for (Map<String, AttributeValue> item : Batches.get(client, engagement, campaignItems.keySet().stream()
                .map(id -> campaignEntryKey(id, email)).toList())) {
            Map<String, Object> entry = plain(item);
            entry.put("campaignId", item.get("pk").s().substring("cmp#".length()));
            campaignEvents.add(entry);
        }
        document.put("campaignEvents", campaignEvents);
        List<Object> sends = new ArrayList<>();
        Map<String, Map<String, Object>> campaignSummaries = new HashMap<>();
        for (Map<String, AttributeValue> batch : ledgerItems()) {
            for (String name : namesOf(batch, email)) {
                Map<String, Object> send = new LinkedHashMap<>();
                String campaignId = batch.get("campaignId").s();
                send.put("campaignId", campaignId);
                send.putAll(campaignSummaries.computeIfAbsent(campaignId, this::campaignSummary));
                send.put("batch", Integer.parseInt(batch.get("batch").n()));
                send.put("variant", variantOf(batch, name));
                AttributeValue result = batch.containsKey("results") ? batch.get("results").m().get(name) : null;
                if (result != null) {
                    send.put("result", plain(result.m()));
                } else {
                    send.put("result", Map.of("f", "PENDING"));
                }
                sends.add(send);
            }
        }
        document.put("sends", sends);
        return document;
    }

    // ------------------------------------------------------------------------------------------------ erase

    @Override
    public void recordErasure(String erasedKey, Instant now) {
        try {
            client.putItem(b -> b.tableName(tables.suppressions())
                    .item(Map.of("email", s(erasedKey), "reason", s(SubscriberStatus.ERASED.wireName()),
                            "since", s(now.toString()), "source", s("erase")))
                    .conditionExpression("attribute_not_exists(#email)")
                    .expressionAttributeNames(Map.of("#email", "email")));
        } catch (ConditionalCheckFailedException e) {
            // erased before: the first erasure's time stays
        }
    }

    @Override
    public Erasure erase(EmailAddress email, String erasedKey, Instant now) {
        Map<String, Integer> removed = new LinkedHashMap<>();
        List<String> waiting = new ArrayList<>();
        List<Map<String, AttributeValue>> profiles = getAll(tables.subscribers(), email);
        // Memberships before the profile: the profile names the segments to look in.
        List<Map<String, AttributeValue>> memberships = memberships(profiles);
        Batches.write(client, tables.segmentMembers(), memberships.stream()
                .map(m -> WriteRequest.builder().deleteRequest(d -> d.key(m)).build()).toList());
        removed.put("memberships", memberships.size());
        int profileCount = 0;
        for (String key : DynamoDbSubscriberStore.keysOf(email)) {
            var old = client.deleteItem(b -> b.tableName(tables.subscribers()).key(Map.of("email", s(key)))
                    .returnValues(ReturnValue.ALL_OLD));
            profileCount += old.hasAttributes() && !old.attributes().isEmpty() ? 1 : 0;
        }
        removed.put("profile", profileCount);
        int suppressionCount = 0;
        for (String key : DynamoDbSubscriberStore.keysOf(email)) {
            var old = client.deleteItem(b -> b.tableName(tables.suppressions()).key(Map.of("email", s(key)))
                    .returnValues(ReturnValue.ALL_OLD));
            suppressionCount += old.hasAttributes() && !old.attributes().isEmpty() ? 1 : 0;
        }
        removed.put("suppressions", suppressionCount);

        List<Map<String, AttributeValue>> partition = engagementPartition(email);
        Batches.write(client, engagement, partition.stream()
                .map(i -> WriteRequest.builder().deleteRequest(d -> d.key(Map.of("pk", i.get("pk"), "sk", i.get("sk")))).build())
                .toList());
        removed.put("engagement", partition.size());
        Map<String, Map<String, AttributeValue>> campaignItems = campaignItems();
        List<Map<String, AttributeValue>> entries = Batches.get(client, engagement, campaignItems.keySet().stream()
                .map(id -> campaignEntryKey(id, email)).toList());
        Batches.write(client, engagement, entries.stream()
                .map(i -> WriteRequest.builder().deleteRequest(d -> d.key(Map.of("pk", i.get("pk"), "sk", i.get("sk")))).build())
                .toList());
        removed.put("campaignEvents", entries.size());

        int redacted = 0;
        for (Map<String, AttributeValue> batch : ledgerItems()) {
            List<String> names = namesOf(batch, email);
            boolean bound = matches(batch.get("coversUpTo"), email);
            if (names.isEmpty() && !bound) {
                continue;
            }
            String campaignId = batch.get("campaignId").s();
            String id = "ledger " + campaignId + "#" + batch.get("batch").n();
            if (bound && !enqueueComplete(campaignItems.get(campaignId))) {
                waiting.add(id + " (its campaign is still enqueueing)");
                continue;
            }
            if (LedgerBatch.State.CLAIMED.name().equals(batch.get("state").s())) {
                waiting.add(id + " (being sent right now)");
                continue;
            }
            if (redactBatch(batch, names, bound, erasedKey)) {
                redacted++;
            } else {
                waiting.add(id + " (changed while being redacted)");
            }
        }
        removed.put("ledgerEntries", redacted);

        int cursors = 0;
        for (Map<String, AttributeValue> campaign : campaignItems.values()) {
            if (!matches(campaign.get("afterEmail"), email)) {
                continue;
            }
            if (!enqueueComplete(campaign)) {
                waiting.add("campaign " + campaign.get("id").s() + " (still enqueueing from this address)");
                continue;
            }
            try {
                String old = campaign.get("afterEmail").s();
                client.updateItem(b -> b.tableName(campaigns).key(Map.of("id", campaign.get("id")))
                        .updateExpression("SET afterEmail = :erased")
                        .conditionExpression("afterEmail = :old AND #complete = :true")
                        .expressionAttributeNames(Map.of("#complete", "complete"))
                        .expressionAttributeValues(Map.of(":erased", s(erasedKey), ":old", s(old),
                                ":true", AttributeValue.fromBool(true))));
                cursors++;
            } catch (ConditionalCheckFailedException e) {
                waiting.add("campaign " + campaign.get("id").s() + " (changed while being redacted)");
            }
        }
        removed.put("campaignCursors", cursors);
        return new Erasure(removed, waiting);
    }

    /** One conditional update of a batch not held by anyone: the person's names become the erased key. */
    private boolean redactBatch(Map<String, AttributeValue> batch, List<String> names, boolean bound, String erasedKey) {
        Set<String> erasedNames = new LinkedHashSet<>(names);
        List<AttributeValue> recipients = new ArrayList<>();
        for (AttributeValue r : batch.get("recipients").l()) {
            String[] parts = r.s().split("\t", 2);
            recipients.add(erasedNames.contains(parts[0])
                    ? s(parts.length > 1 ? erasedKey + "\t" + parts[1] : erasedKey) : r);
        }
        Map<String, AttributeValue> results = new HashMap<>(batch.containsKey("results") ? batch.get("results").m() : Map.of());
        List<String> inflight = batch.containsKey("inflight") ? new ArrayList<>(batch.get("inflight").ss()) : new ArrayList<>();
        AttributeValue kept = null;
        for (String name : names) {
            AttributeValue had = results.remove(name);
            if (had != null) {
                kept = had;
            }
        }
        if (kept == null) {
            boolean wasInflight = inflight.stream().anyMatch(erasedNames::contains);
            // In flight: the provider may have it (what the next owner would record); otherwise never sent now.
            kept = wasInflight
                    ? result(RecipientResult.Fate.UNKNOWN, "erased while its provider call was interrupted")
                    : result(RecipientResult.Fate.SUPPRESSED, "address is erased");
        }
        results.put(erasedKey, kept);
        inflight.removeIf(erasedNames::contains);
        long version = batch.containsKey("redactions") ? Long.parseLong(batch.get("redactions").n()) : 0;
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":recipients", AttributeValue.fromL(recipients));
        values.put(":results", AttributeValue.fromM(results));
        values.put(":claimed", s(LedgerBatch.State.CLAIMED.name()));
        values.put(":next", n(version + 1));
        StringBuilder update = new StringBuilder("SET recipients = :recipients, results = :results, redactions = :next");
        if (bound) {
            update.append(", coversUpTo = :bound");
            values.put(":bound", s(erasedKey));
        }
        if (batch.containsKey("inflight")) {
            if (inflight.isEmpty()) {
                update.append(" REMOVE inflight");
            } else {
                update.append(", inflight = :inflight");
                values.put(":inflight", AttributeValue.fromSs(inflight));
            }
        }
        String condition = "#state <> :claimed AND "
                + (version == 0 ? "attribute_not_exists(redactions)" : "redactions = :seen");
        if (version > 0) {
            values.put(":seen", n(version));
        }
        try {
            client.updateItem(b -> b.tableName(ledger).key(Map.of("campaignId", batch.get("campaignId"), "batch", batch.get("batch")))
                    .updateExpression(update.toString())
                    .conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static AttributeValue result(RecipientResult.Fate fate, String detail) {
        return AttributeValue.fromM(Map.of("f", s(fate.name()), "d", s(detail)));
    }

    // ------------------------------------------------------------------------------------------------ reads

    private List<Map<String, AttributeValue>> getAll(String table, EmailAddress email) {
        return Batches.get(client, table, DynamoDbSubscriberStore.keysOf(email).stream()
                .map(k -> Map.of("email", s(k))).toList());
    }

    /** The membership entries that exist for the segments the person's profiles name. */
    private List<Map<String, AttributeValue>> memberships(List<Map<String, AttributeValue>> profiles) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (Map<String, AttributeValue> profile : profiles) {
            if (!profile.containsKey("segments")) {
                continue;
            }
            for (String segment : profile.get("segments").ss()) {
                for (String key : DynamoDbSubscriberStore.keysOf(new EmailAddress(DynamoDbSubscriberStore.address(profile)))) {
                    Map<String, AttributeValue> k = Map.of("segment", s(segment), "email", s(key));
                    if (!keys.contains(k)) {
                        keys.add(k);
                    }
                }
            }
        }
        return Batches.get(client, tables.segmentMembers(), keys).stream()
                .map(i -> Map.of("segment", i.get("segment"), "email", i.get("email"))).toList();
    }

    private List<Map<String, AttributeValue>> engagementPartition(EmailAddress email) {
        QueryRequest query = QueryRequest.builder().tableName(engagement)
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s(DynamoDbEngagementStore.subscriberKey(email))))
                .consistentRead(true)
                .build();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        client.queryPaginator(query).items().forEach(items::add);
        return items;
    }

    /** A campaign's name, status and times, for the sends of an export (its content is not the person's data). */
    private Map<String, Object> campaignSummary(String campaignId) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(campaigns).key(Map.of("id", s(campaignId)))
                .projectionExpression("#d, #status, #sendAt, #createdAt, #updatedAt")
                .expressionAttributeNames(Map.of("#d", "definition", "#status", "status", "#sendAt", "sendAt",
                        "#createdAt", "createdAt", "#updatedAt", "updatedAt"))).item();
        Map<String, Object> summary = new LinkedHashMap<>();
        if (item == null || item.isEmpty()) {
            return summary;
        }
        if (item.containsKey("definition")) {
            try {
                String name = JSON.readTree(item.get("definition").s()).path("name").asText(null);
                if (name != null) {
                    summary.put("campaignName", name);
                }
            } catch (java.io.IOException e) {
                // a definition that doesn't parse: the name is left out, the rest still exported
            }
        }
        putIfPresent(summary, "campaignStatus", item, "status");
        putIfPresent(summary, "campaignSendAt", item, "sendAt");
        putIfPresent(summary, "campaignCreatedAt", item, "createdAt");
        putIfPresent(summary, "campaignUpdatedAt", item, "updatedAt");
        return summary;
    }

    private static Map<String, AttributeValue> campaignEntryKey(String campaignId, EmailAddress email) {
        return Map.of("pk", s("cmp#" + campaignId), "sk", s(email.key()));
    }

    /** Every campaign's id and enqueue cursor (campaigns are few: one Scan). */
    private Map<String, Map<String, AttributeValue>> campaignItems() {
        ScanRequest scan = ScanRequest.builder().tableName(campaigns)
                .projectionExpression("#id, #afterEmail, #complete")
                .expressionAttributeNames(Map.of("#id", "id", "#afterEmail", "afterEmail", "#complete", "complete"))
                .consistentRead(true)
                .build();
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        client.scanPaginator(scan).items().forEach(i -> items.put(i.get("id").s(), i));
        return items;
    }

    private List<Map<String, AttributeValue>> ledgerItems() {
        ScanRequest scan = ScanRequest.builder().tableName(ledger)
                .projectionExpression("#c, #b, #recipients, #results, #inflight, #covers, #state, #redactions")
                .expressionAttributeNames(Map.of("#c", "campaignId", "#b", "batch", "#recipients", "recipients",
                        "#results", "results", "#inflight", "inflight", "#covers", "coversUpTo", "#state", "state",
                        "#redactions", "redactions"))
                .consistentRead(true)
                .build();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        client.scanPaginator(scan).items().forEach(items::add);
        return items;
    }

    private static boolean enqueueComplete(Map<String, AttributeValue> campaign) {
        return campaign != null && campaign.containsKey("complete") && Boolean.TRUE.equals(campaign.get("complete").bool());
    }

    /** The names (as the batch spells them) under which the person is a recipient of the batch. */
    private static List<String> namesOf(Map<String, AttributeValue> batch, EmailAddress email) {
        List<String> names = new ArrayList<>();
        if (batch.containsKey("recipients")) {
            for (AttributeValue r : batch.get("recipients").l()) {
                String name = r.s().split("\t", 2)[0];
                if (name.toLowerCase(Locale.ROOT).equals(email.key()) && !names.contains(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static String variantOf(Map<String, AttributeValue> batch, String name) {
        for (AttributeValue r : batch.get("recipients").l()) {
            String[] parts = r.s().split("\t", 2);
            if (parts[0].equals(name)) {
                return parts.length > 1 ? parts[1] : null;
            }
        }
        return null;
    }

    private static boolean matches(AttributeValue value, EmailAddress email) {
        return value != null && value.s() != null && value.s().toLowerCase(Locale.ROOT).equals(email.key());
    }

    private static void putIfPresent(Map<String, Object> target, String name, Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value != null && value.s() != null) {
            target.put(name, value.s());
        }
    }

    /** An item as plain JSON-able values (strings, numbers as text, booleans, lists, maps). */
    static Map<String, Object> plain(Map<String, AttributeValue> item) {
        Map<String, Object> out = new TreeMap<>();
        item.forEach((k, v) -> out.put(k, plain(v)));
        return out;
    }

    private static Object plain(AttributeValue v) {
        if (v.s() != null) {
            return v.s();
        }
        if (v.n() != null) {
            return new java.math.BigDecimal(v.n());
        }
        if (v.bool() != null) {
            return v.bool();
        }
        if (v.hasSs()) {
            return List.copyOf(v.ss());
        }
        if (v.hasNs()) {
            return List.copyOf(v.ns());
        }
        if (v.hasL()) {
            return v.l().stream().map(DynamoDbPersonalData::plain).toList();
        }
        if (v.hasM()) {
            return plain(v.m());
        }
        return null;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
