package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.subscriber.AddressMigration;
import dev.dispatch.domain.subscriber.CounterDelta;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SegmentMembership;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.Suppression;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Moves records that earlier versions keyed by an address with its local part as given (a key that is not all
 * lower-case) to the address's identity, one scanned page at a time, in phases:
 *
 * <ol>
 *   <li><b>campaign cursors</b>: a campaign an earlier version was still enqueueing walked its segments in the
 *       order of the legacy keys; its cursor becomes a bound below which everyone was handled, and its walk starts
 *       again in identity order (see {@link dev.dispatch.domain.campaign.EnqueueProgress});
 *   <li><b>suppressions</b>: each is written under the identity (the strongest wins when both exist: a bounce or
 *       complaint over an unsubscription). The legacy item stays until the last phase, so that at every moment a
 *       reader finds the suppression under one key or the other - readers look under both;
 *   <li><b>subscribers</b>: each legacy profile's segment memberships are written under the identity, then the
 *       profile (merged into the identity's profile if both exist: names and time zone of the identity's profile
 *       first, attributes merged, segments joined, the earliest creation), then the counters move (two profiles
 *       of one person become one). The profile notes which legacy keys it accounts for ({@code mergedFrom}), so a
 *       re-run merges nothing twice;
 *   <li><b>segment members</b>: each legacy entry is replaced by the identity's entry if its profile claims the
 *       segment, and removed;
 *   <li><b>engagement</b>: each subscriber's state and history and each (campaign, recipient) entry under a legacy
 *       key is copied under the identity unless one is there already (then the identity's is kept), and removed;
 *   <li><b>legacy profiles</b>, then <b>legacy suppressions</b> are removed, each only once the identity's item
 *       stands for it.
 * </ol>
 *
 * <p>Progress lives in one item of the counters table (phase and scan cursor), leased to one run at a time and
 * advanced only after a page is done, so a run that dies is taken over and repeats at most one page: every step
 * is a conditional or idempotent write. Send ledgers are not migrated: they name recipients in the form the
 * batch was written with, and {@code BatchSender} matches them by address.
 */
public class DynamoDbAddressMigration implements AddressMigration {
    public static final String DEFAULT_MARKER = "address-identity";
    static final String PARTITION = "migration";
    private static final int PAGE = 100;
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final int ATTEMPTS = 5;

    enum Phase { CAMPAIGNS, SUPPRESSIONS, SUBSCRIBERS, SEGMENT_MEMBERS, ENGAGEMENT, LEGACY_PROFILES, LEGACY_SUPPRESSIONS, DONE }

    private final DynamoDbClient client;
    private final SubscriberTables tables;
    private final String engagementTable;
    private final String campaignsTable;
    private final String marker;
    private final Clock clock;
    private final DynamoDbSubscriberStore store;
    private final DynamoDbSubscriberCounters counters;
    /** The last phase read; phases only move forward, so once far enough nobody needs to read again. */
    private volatile Phase known = Phase.CAMPAIGNS;

    /** @param marker the progress item's name ({@link #DEFAULT_MARKER}; tests use their own to run it again) */
    public DynamoDbAddressMigration(DynamoDbClient client, SubscriberTables tables, String engagementTable,
            String campaignsTable, String marker, Clock clock) {
        this.client = client;
        this.tables = tables;
        this.engagementTable = engagementTable;
        this.campaignsTable = campaignsTable;
        this.marker = marker;
        this.clock = clock;
        this.store = new DynamoDbSubscriberStore(client, tables);
        this.counters = new DynamoDbSubscriberCounters(client, tables.counters());
    }

    @Override
    public boolean suppressionsMoved() {
        return known.compareTo(Phase.SUPPRESSIONS) > 0 || read().phase.compareTo(Phase.SUPPRESSIONS) > 0;
    }

    @Override
    public boolean complete() {
        return known == Phase.DONE || read().phase == Phase.DONE;
    }

    @Override
    public boolean runUntil(Instant deadline) {
        String owner = UUID.randomUUID().toString();
        while (true) {
            Progress progress = read();
            if (progress.phase == Phase.DONE) {
                return true;
            }
            if (!clock.instant().isBefore(deadline) || !claim(owner)) {
                release(owner);
                return false; // out of time, or another run holds the lease: it carries on
            }
            Map<String, AttributeValue> next = step(progress.phase, progress.cursor);
            Phase phase = next == null ? Phase.values()[progress.phase.ordinal() + 1] : progress.phase;
            if (!advance(owner, phase, next)) {
                return false; // our lease ran out and another run took over
            }
        }
    }

    private record Progress(Phase phase, Map<String, AttributeValue> cursor) {}

    private Map<String, AttributeValue> markerKey() {
        return Map.of("pk", AttributeValue.fromS(PARTITION), "sk", AttributeValue.fromS(marker));
    }

    private Progress read() {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(tables.counters()).key(markerKey())
                .consistentRead(true)).item();
        Phase phase = item == null || !item.containsKey("phase") ? Phase.CAMPAIGNS : Phase.valueOf(item.get("phase").s());
        if (phase.compareTo(known) > 0) {
            known = phase;
        }
        return new Progress(phase, item == null || !item.containsKey("cursor") ? null : item.get("cursor").m());
    }

    private boolean claim(String owner) {
        Instant now = clock.instant();
        try {
            client.updateItem(b -> b.tableName(tables.counters()).key(markerKey())
                    .updateExpression("SET #owner = :owner, leaseUntil = :until")
                    .conditionExpression("attribute_not_exists(leaseUntil) OR leaseUntil < :now OR #owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner),
                            ":until", millis(now.plus(LEASE)), ":now", millis(now))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private boolean advance(String owner, Phase phase, Map<String, AttributeValue> cursor) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", AttributeValue.fromS(owner));
        values.put(":phase", AttributeValue.fromS(phase.name()));
        String update = "SET phase = :phase";
        update += cursor == null ? " REMOVE #cursor" : ", #cursor = :cursor";
        if (cursor != null) {
            values.put(":cursor", AttributeValue.fromM(cursor));
        }
        String expression = update;
        try {
            client.updateItem(b -> b.tableName(tables.counters()).key(markerKey())
                    .updateExpression(expression)
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner", "#cursor", "cursor"))
                    .expressionAttributeValues(values));
            if (phase.compareTo(known) > 0) {
                known = phase;
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private void release(String owner) {
        try {
            client.updateItem(b -> b.tableName(tables.counters()).key(markerKey())
                    .updateExpression("SET leaseUntil = :zero")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner), ":zero", millis(Instant.EPOCH))));
        } catch (ConditionalCheckFailedException e) {
            // not ours: nothing to give up
        }
    }

    /** One page of the phase's table from the cursor; the next cursor, or null when the table is done. */
    private Map<String, AttributeValue> step(Phase phase, Map<String, AttributeValue> cursor) {
        String table = switch (phase) {
            case CAMPAIGNS -> campaignsTable;
            case SUPPRESSIONS, LEGACY_SUPPRESSIONS -> tables.suppressions();
            case SUBSCRIBERS, LEGACY_PROFILES -> tables.subscribers();
            case SEGMENT_MEMBERS -> tables.segmentMembers();
            case ENGAGEMENT -> engagementTable;
            case DONE -> throw new IllegalStateException("nothing left to migrate");
        };
        ScanResponse page = client.scan(b -> b.tableName(table).limit(PAGE).consistentRead(true)
                .exclusiveStartKey(cursor == null || cursor.isEmpty() ? null : cursor));
        for (Map<String, AttributeValue> item : page.items()) {
            switch (phase) {
                case CAMPAIGNS -> boundLegacyCursor(item);
                case SUPPRESSIONS -> {
                    if (legacy(item.get("email").s())) {
                        moveSuppression(item);
                    }
                }
                case SUBSCRIBERS -> {
                    if (legacy(item.get("email").s())) {
                        moveProfile(item);
                    }
                }
                case SEGMENT_MEMBERS -> {
                    if (legacy(item.get("email").s())) {
                        moveMembership(item);
                    }
                }
                case ENGAGEMENT -> moveEngagement(item);
                case LEGACY_PROFILES -> {
                    if (legacy(item.get("email").s())) {
                        removeLegacyProfile(item);
                    }
                }
                case LEGACY_SUPPRESSIONS -> {
                    if (legacy(item.get("email").s())) {
                        removeLegacySuppression(item);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    }

    static boolean legacy(String key) {
        return !key.equals(key.toLowerCase(Locale.ROOT));
    }

    private static String identity(String key) {
        return key.toLowerCase(Locale.ROOT);
    }

    /** An unfinished enqueue whose cursor an earlier version wrote: the cursor becomes its legacy bound. */
    void boundLegacyCursor(Map<String, AttributeValue> campaign) {
        AttributeValue after = campaign.get("afterEmail");
        AttributeValue complete = campaign.get("complete");
        if (after == null || complete == null || complete.bool() || campaign.containsKey(DynamoDbCampaignStore.CURSOR_KEYS)
                || campaign.containsKey(DynamoDbCampaignStore.LEGACY_BOUND)) {
            return;
        }
        try {
            client.updateItem(b -> b.tableName(campaignsTable).key(Map.of("id", campaign.get("id")))
                    .updateExpression("SET #bound = :after REMOVE afterEmail")
                    .conditionExpression("afterEmail = :after AND nextBatch = :batch AND complete = :false "
                            + "AND attribute_not_exists(#keys)")
                    .expressionAttributeNames(Map.of("#bound", DynamoDbCampaignStore.LEGACY_BOUND,
                            "#keys", DynamoDbCampaignStore.CURSOR_KEYS))
                    .expressionAttributeValues(Map.of(":after", after, ":batch", campaign.get("nextBatch"),
                            ":false", AttributeValue.fromBool(false))));
        } catch (ConditionalCheckFailedException moved) {
            throw new IllegalStateException("a campaign's enqueue cursor moved during the address migration; retry", moved);
        }
    }

    /**
     * Writes the strongest of the legacy and the identity's suppression under the identity. The person's counters
     * move if their profile under the identity changes status by it (a legacy profile moves in the next phase).
     */
    void moveSuppression(Map<String, AttributeValue> legacyItem) {
        String key = identity(legacyItem.get("email").s());
        EmailAddress person = new EmailAddress(key);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Map<String, AttributeValue> current = getItem(tables.suppressions(), Map.of("email", AttributeValue.fromS(key)));
            Map<String, AttributeValue> winner = DynamoDbSubscriberStore.strongest(Arrays.asList(current, legacyItem));
            if (winner == current) {
                return; // the identity's suppression is at least as strong
            }
            Subscriber before = store.find(person).orElse(null);
            Map<String, AttributeValue> item = new HashMap<>(winner);
            item.put("email", AttributeValue.fromS(key));
            item.put("address", AttributeValue.fromS(DynamoDbSubscriberStore.address(current != null ? current : legacyItem)));
            try {
                if (current == null) {
                    client.putItem(b -> b.tableName(tables.suppressions()).item(item)
                            .conditionExpression("attribute_not_exists(email)"));
                } else {
                    client.putItem(b -> b.tableName(tables.suppressions()).item(item)
                            .conditionExpression("reason = :reason AND since = :since")
                            .expressionAttributeValues(Map.of(":reason", current.get("reason"), ":since", current.get("since"))));
                }
            } catch (ConditionalCheckFailedException changed) {
                continue; // written meanwhile: look again
            }
            Subscriber after = store.find(person).orElse(null);
            if (isProfile(before) && isProfile(after) && before.status() != after.status()) {
                counters.apply(new CounterDelta().record(before, after));
            }
            return;
        }
        throw new IllegalStateException("a suppression keeps changing during the address migration; retry");
    }

    /**
     * Writes the legacy profile under the identity (merged into the profile there, if any), memberships first;
     * then moves the counters: the two profiles old versions counted become one.
     */
    void moveProfile(Map<String, AttributeValue> legacyItem) {
        String legacyKey = legacyItem.get("email").s();
        String key = identity(legacyKey);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Map<String, AttributeValue> current = getItem(tables.subscribers(), Map.of("email", AttributeValue.fromS(key)));
            if (current != null && current.containsKey(DynamoDbSubscriberStore.MERGED_FROM)
                    && current.get(DynamoDbSubscriberStore.MERGED_FROM).ss().contains(legacyKey)) {
                return; // already stands for the legacy profile
            }
            EmailAddress legacyAddress = new EmailAddress(DynamoDbSubscriberStore.address(legacyItem));
            Map<String, AttributeValue> legacySuppression = getItem(tables.suppressions(), Map.of("email", AttributeValue.fromS(legacyKey)));
            // As the earlier version counted it: with the suppression under its own key.
            Subscriber legacyProfile = DynamoDbSubscriberStore.toSubscriber(legacyAddress, legacyItem,
                    legacySuppression == null ? null : DynamoDbSubscriberStore.toSuppression(legacyAddress, legacySuppression));
            Subscriber identityProfile = current == null ? null
                    : store.find(new EmailAddress(DynamoDbSubscriberStore.address(current))).orElseThrow();
            Subscriber joined = merge(identityProfile, legacyProfile);
            Suppression suppression = store.find(joined.email()).map(Subscriber::suppression).orElse(null);
            Subscriber merged = joined.withSuppression(suppression == null ? null
                    : new Suppression(joined.email(), suppression.reason(), suppression.since(), suppression.source()));

            store.addMemberships(merged.segments().stream().map(s -> new SegmentMembership(s, merged.email())).toList());
            Map<String, AttributeValue> item = DynamoDbSubscriberStore.toItem(merged);
            Set<String> mergedFrom = new TreeSet<>();
            if (current != null && current.containsKey(DynamoDbSubscriberStore.MERGED_FROM)) {
                mergedFrom.addAll(current.get(DynamoDbSubscriberStore.MERGED_FROM).ss());
            }
            if (item.containsKey(DynamoDbSubscriberStore.MERGED_FROM)) {
                mergedFrom.addAll(item.get(DynamoDbSubscriberStore.MERGED_FROM).ss());
            }
            mergedFrom.add(legacyKey);
            item.put(DynamoDbSubscriberStore.MERGED_FROM, AttributeValue.fromSs(List.copyOf(mergedFrom)));
            try {
                if (current == null) {
                    client.putItem(b -> b.tableName(tables.subscribers()).item(item)
                            .conditionExpression("attribute_not_exists(email)"));
                } else {
                    client.putItem(b -> b.tableName(tables.subscribers()).item(item)
                            .conditionExpression("updatedAt = :updatedAt")
                            .expressionAttributeValues(Map.of(":updatedAt", current.get("updatedAt"))));
                }
            } catch (ConditionalCheckFailedException changed) {
                continue;
            }
            counters.apply(new CounterDelta().record(legacyProfile, null).record(identityProfile, null).record(null, merged));
            return;
        }
        throw new IllegalStateException("a profile keeps changing during the address migration; retry");
    }

    /** One person's two profiles as one: the identity's fields first, attributes merged, segments joined. */
    private Subscriber merge(Subscriber identity, Subscriber legacy) {
        if (identity == null) {
            return legacy;
        }
        Map<String, Object> attributes = new TreeMap<>(legacy.attributes());
        attributes.putAll(identity.attributes());
        Set<String> segments = new TreeSet<>(legacy.segments());
        segments.addAll(identity.segments());
        Instant created = identity.createdAt().isBefore(legacy.createdAt()) ? identity.createdAt() : legacy.createdAt();
        Instant updated = identity.updatedAt().isAfter(clock.instant()) ? identity.updatedAt() : clock.instant();
        return new Subscriber(identity.email(),
                identity.firstName() != null ? identity.firstName() : legacy.firstName(),
                identity.lastName() != null ? identity.lastName() : legacy.lastName(),
                attributes, new TreeSet<>(segments),
                Math.max(identity.engagementScore(), legacy.engagementScore()),
                identity.timeZone() != null ? identity.timeZone() : legacy.timeZone(),
                identity.source() != null ? identity.source() : legacy.source(),
                created, updated, null, identity.optIns()); // legacy profiles predate opt-ins
    }

    /** The identity's entry replaces the legacy one if its profile claims the segment; the legacy entry goes. */
    void moveMembership(Map<String, AttributeValue> legacyItem) {
        String segment = legacyItem.get("segment").s();
        String key = identity(legacyItem.get("email").s());
        Subscriber profile = store.find(new EmailAddress(key)).orElse(null);
        if (isProfile(profile) && profile.segments().contains(segment)) {
            client.putItem(b -> b.tableName(tables.segmentMembers())
                    .item(Map.of("segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(key))));
        }
        client.deleteItem(b -> b.tableName(tables.segmentMembers()).key(Map.of("segment", legacyItem.get("segment"),
                "email", legacyItem.get("email"))));
    }

    /**
     * {@code sub#<address>} items (state, history) and {@code cmp#<campaign>} items keyed by recipient: copied under
     * the identity unless it has its own already (kept: it is the newer), then removed.
     */
    void moveEngagement(Map<String, AttributeValue> item) {
        String pk = item.get("pk").s();
        String sk = item.get("sk").s();
        Map<String, AttributeValue> copy = new HashMap<>(item);
        if (pk.startsWith("sub#") && legacy(pk)) {
            copy.put("pk", AttributeValue.fromS(identity(pk)));
        } else if (pk.startsWith("cmp#") && sk.contains("@") && legacy(sk)) {
            copy.put("sk", AttributeValue.fromS(identity(sk)));
        } else {
            return;
        }
        try {
            client.putItem(b -> b.tableName(engagementTable).item(copy).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException exists) {
            // the identity has its own (written since the upgrade): it stays
        }
        client.deleteItem(b -> b.tableName(engagementTable).key(Map.of("pk", item.get("pk"), "sk", item.get("sk"))));
    }

    /** Removes a legacy profile once the identity's profile stands for it (moving it first if it does not). */
    void removeLegacyProfile(Map<String, AttributeValue> legacyItem) {
        String key = identity(legacyItem.get("email").s());
        if (getItem(tables.subscribers(), Map.of("email", AttributeValue.fromS(key))) == null) {
            moveProfile(legacyItem); // written by an earlier version after the profiles were moved
        }
        try {
            client.deleteItem(b -> b.tableName(tables.subscribers()).key(Map.of("email", legacyItem.get("email")))
                    .conditionExpression("updatedAt = :updatedAt")
                    .expressionAttributeValues(Map.of(":updatedAt", legacyItem.get("updatedAt"))));
        } catch (ConditionalCheckFailedException changed) {
            // changed by an earlier version still running: left for the next run
        }
    }

    /** Removes a legacy suppression once the identity's is at least as strong (writing it first if needed). */
    void removeLegacySuppression(Map<String, AttributeValue> legacyItem) {
        moveSuppression(legacyItem);
        try {
            client.deleteItem(b -> b.tableName(tables.suppressions()).key(Map.of("email", legacyItem.get("email")))
                    .conditionExpression("reason = :reason AND since = :since")
                    .expressionAttributeValues(Map.of(":reason", legacyItem.get("reason"), ":since", legacyItem.get("since"))));
        } catch (ConditionalCheckFailedException changed) {
            // changed meanwhile: left for the next run
        }
    }

    private static boolean isProfile(Subscriber subscriber) {
        return subscriber != null && subscriber.createdAt() != null;
    }

    private Map<String, AttributeValue> getItem(String table, Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = client.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static AttributeValue millis(Instant at) {
        return AttributeValue.fromN(Long.toString(at.toEpochMilli()));
    }
}
