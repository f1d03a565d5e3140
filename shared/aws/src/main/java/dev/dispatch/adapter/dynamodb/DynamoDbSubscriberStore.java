package dev.dispatch.adapter.dynamodb;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.privacy.ErasedAddresses;
import dev.dispatch.domain.subscriber.EmailAddress;
import dev.dispatch.domain.subscriber.SegmentMembership;
import dev.dispatch.domain.subscriber.SegmentPage;
import dev.dispatch.domain.subscriber.Subscriber;
import dev.dispatch.domain.subscriber.SubscriberStatus;
import dev.dispatch.domain.subscriber.SubscriberStore;
import dev.dispatch.domain.subscriber.Suppression;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Subscribers on DynamoDB: one item per profile (key: email), one per suppression (key: email) and one per
 * segment membership (key: segment, email), so a segment pages by Query in address order and never by Scan.
 *
 * <p>Every key is the address's identity ({@link EmailAddress#key()}, lower-cased); the form the subscriber gave
 * is kept in the {@code address} attribute. Earlier versions keyed records by the address with only its domain
 * lower-cased ({@link EmailAddress#legacyKey()}); until {@link DynamoDbAddressMigration} has moved them, reads also
 * look there, and a suppression found under any of a person's keys counts (the strongest one wins), so that no
 * check can miss a suppression that has not been moved yet.
 */
public class DynamoDbSubscriberStore implements SubscriberStore {
    private static final String CURSOR_PREFIX = "v1:";
    /** On a profile: the legacy keys whose profiles it accounts for (see {@link DynamoDbAddressMigration}). */
    static final String MERGED_FROM = "mergedFrom";

    private final DynamoDbClient client;
    private final SubscriberTables tables;
    /** Null where no erasure key is configured: then erased addresses are not looked up (tools, tests). */
    private final ErasedAddresses erased;

    public DynamoDbSubscriberStore(DynamoDbClient client, SubscriberTables tables) {
        this(client, tables, null);
    }

    /**
     * @param erased the keyed hash of erased addresses: every read of a person ({@link #findAll}) also reads the
     *     erasure record under it (in the same batch read), and one found wins over everything else, so an erased
     *     address reads as {@link SubscriberStatus#ERASED} on every send and import path
     */
    public DynamoDbSubscriberStore(DynamoDbClient client, SubscriberTables tables, ErasedAddresses erased) {
        this.client = client;
        this.tables = tables;
        this.erased = erased;
    }

    @Override
    public Optional<Subscriber> find(EmailAddress email) {
        return Optional.ofNullable(findAll(List.of(email)).get(email));
    }

    @Override
    public Map<EmailAddress, Subscriber> findAll(Collection<EmailAddress> emails) {
        return findAll(emails, true);
    }

    /** One key fewer per address: a third of the reads of a page of the audience walk. */
    @Override
    public Map<EmailAddress, Subscriber> findAllExceptErasures(Collection<EmailAddress> emails) {
        return findAll(emails, false);
    }

    private Map<EmailAddress, Subscriber> findAll(Collection<EmailAddress> emails, boolean withErasures) {
        if (emails.isEmpty()) {
            return Map.of();
        }
        Set<String> keys = new LinkedHashSet<>();
        emails.forEach(e -> keys.addAll(keysOf(e)));
        Map<EmailAddress, String> erasedKeys = new HashMap<>();
        if (erased != null && withErasures) {
            emails.forEach(e -> erasedKeys.put(e, erased.keyOf(e)));
        }
        Map<String, Map<String, AttributeValue>> profiles = get(tables.subscribers(), keys);
        Set<String> suppressionLookups = new LinkedHashSet<>(keys);
        suppressionLookups.addAll(erasedKeys.values());
        Map<String, Map<String, AttributeValue>> suppressions = get(tables.suppressions(), suppressionLookups);
        // A profile stored under another legacy variant than the one asked for: its own legacy key may hold a
        // suppression too (rare, so a second read only then).
        Set<String> more = new LinkedHashSet<>();
        for (EmailAddress email : emails) {
            Map<String, AttributeValue> profile = profileOf(email, profiles);
            if (profile != null) {
                more.addAll(keysOf(new EmailAddress(address(profile))));
            }
        }
        more.removeAll(keys);
        if (!more.isEmpty()) {
            suppressions.putAll(get(tables.suppressions(), more));
        }
        Map<EmailAddress, Subscriber> result = new LinkedHashMap<>();
        for (EmailAddress email : emails) {
            Map<String, AttributeValue> erasure = erasedKeys.isEmpty() ? null : suppressions.get(erasedKeys.get(email));
            if (erasure != null) {
                // Erased: nothing else of the person counts (a profile written by a write that raced the erasure).
                result.put(email, toSubscriber(email, null, toSuppression(email, erasure)));
                continue;
            }
            Map<String, AttributeValue> profile = profileOf(email, profiles);
            Set<String> suppressionKeys = new LinkedHashSet<>(keysOf(email));
            if (profile != null) {
                suppressionKeys.addAll(keysOf(new EmailAddress(address(profile))));
            }
            Map<String, AttributeValue> suppression = strongest(suppressionKeys.stream().map(suppressions::get).toList());
            if (profile != null || suppression != null) {
                EmailAddress stored = new EmailAddress(address(profile != null ? profile : suppression));
                result.put(email, toSubscriber(stored, profile, suppression == null ? null : toSuppression(stored, suppression)));
            }
        }
        return result;
    }

    /**
     * Whether the address was erased: one GetItem of its erasure record (for paths that need no profile, such as
     * applying a provider event). False where no erasure key is configured.
     */
    public boolean isErased(EmailAddress email) {
        if (erased == null) {
            return false;
        }
        var response = client.getItem(b -> b.tableName(tables.suppressions())
                .key(Map.of("email", AttributeValue.fromS(erased.keyOf(email)))));
        return response.hasItem() && !response.item().isEmpty();
    }

    /** Which of {@code emails} were erased: one read (BatchGetItem) for many, as a batch of events asks. */
    public java.util.Set<EmailAddress> erasedAmong(java.util.Collection<EmailAddress> emails) {
        if (erased == null || emails.isEmpty()) {
            return java.util.Set.of();
        }
        Map<String, List<EmailAddress>> byKey = new java.util.HashMap<>();
        for (EmailAddress email : emails) {
            byKey.computeIfAbsent(erased.keyOf(email), k -> new java.util.ArrayList<>()).add(email);
        }
        List<Map<String, AttributeValue>> keys = byKey.keySet().stream()
                .map(k -> Map.of("email", AttributeValue.fromS(k))).toList();
        java.util.Set<EmailAddress> found = new java.util.HashSet<>();
        for (Map<String, AttributeValue> item : Batches.get(client, tables.suppressions(), keys)) {
            found.addAll(byKey.getOrDefault(item.get("email").s(), List.of()));
        }
        return found;
    }

    /** The keys a person's records may be under: the identity first, then the legacy key if it differs. */
    static List<String> keysOf(EmailAddress email) {
        return email.key().equals(email.legacyKey()) ? List.of(email.key()) : List.of(email.key(), email.legacyKey());
    }

    private static Map<String, AttributeValue> profileOf(EmailAddress email, Map<String, Map<String, AttributeValue>> profiles) {
        Map<String, AttributeValue> canonical = profiles.get(email.key());
        return canonical != null ? canonical : profiles.get(email.legacyKey());
    }

    /**
     * Of the suppressions found under a person's keys, the one that must win: a bounce or complaint over an
     * unsubscription (only the latter can be lifted), the first given (the identity's) on a tie.
     */
    static Map<String, AttributeValue> strongest(List<Map<String, AttributeValue>> found) {
        Map<String, AttributeValue> best = null;
        for (Map<String, AttributeValue> item : found) {
            if (item != null && (best == null || rank(item) > rank(best))) {
                best = item;
            }
        }
        return best;
    }

    private static int rank(Map<String, AttributeValue> suppression) {
        SubscriberStatus reason = SubscriberStatus.fromWire(suppression.get("reason").s());
        return reason == SubscriberStatus.UNSUBSCRIBED ? 1 : reason == SubscriberStatus.ERASED ? 3 : 2;
    }

    /** The address as the subscriber gave it; items written before it was kept have it as their key. */
    static String address(Map<String, AttributeValue> item) {
        AttributeValue given = item.get("address");
        return given != null ? given.s() : item.get("email").s();
    }

    private Map<String, Map<String, AttributeValue>> get(String table, Collection<String> keys) {
        List<Map<String, AttributeValue>> requests = keys.stream()
                .map(k -> Map.of("email", AttributeValue.fromS(k))).toList();
        return byEmail(Batches.get(client, table, requests));
    }

    @Override
    public boolean createProfile(Subscriber subscriber) {
        EmailAddress email = subscriber.email();
        if (!email.key().equals(email.legacyKey()) && !get(tables.subscribers(), List.of(email.legacyKey())).isEmpty()) {
            return false; // the person has a profile written by an earlier version, not migrated yet
        }
        return conditionalPut(b -> b.tableName(tables.subscribers())
                .item(toItem(subscriber))
                .conditionExpression("attribute_not_exists(#email)")
                .expressionAttributeNames(Map.of("#email", "email")));
    }

    @Override
    public boolean replaceProfile(Subscriber subscriber, Instant expectedUpdatedAt) {
        return conditionalPut(b -> b.tableName(tables.subscribers())
                .item(toItem(subscriber))
                // absent: the profile read was an earlier version's item, written now under the identity
                .conditionExpression("#updatedAt = :expected OR attribute_not_exists(#email)")
                .expressionAttributeNames(Map.of("#updatedAt", "updatedAt", "#email", "email"))
                .expressionAttributeValues(Map.of(":expected", AttributeValue.fromS(expectedUpdatedAt.toString()))));
    }

    /** A PutItem whose condition may fail: false then, the domain's "someone else was first". */
    private boolean conditionalPut(java.util.function.Consumer<software.amazon.awssdk.services.dynamodb.model.PutItemRequest.Builder> request) {
        try {
            client.putItem(request);
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void writeProfiles(Collection<Subscriber> subscribers) {
        List<WriteRequest> requests = subscribers.stream()
                .map(s -> WriteRequest.builder().putRequest(p -> p.item(toItem(s))).build())
                .toList();
        Batches.write(client, tables.subscribers(), requests);
    }

    @Override
    public void addMemberships(Collection<SegmentMembership> memberships) {
        List<WriteRequest> requests = memberships.stream()
                .map(m -> WriteRequest.builder().putRequest(p -> p.item(membershipKey(m))).build())
                .toList();
        Batches.write(client, tables.segmentMembers(), requests);
    }

    /** Removes the identity's entry and, if the address has one, the entry an earlier version wrote. */
    @Override
    public void removeMemberships(Collection<SegmentMembership> memberships) {
        List<WriteRequest> requests = memberships.stream()
                .flatMap(m -> keysOf(m.email()).stream().map(k -> Map.of(
                        "segment", AttributeValue.fromS(m.segment()), "email", AttributeValue.fromS(k))))
                .distinct()
                .map(key -> WriteRequest.builder().deleteRequest(d -> d.key(key)).build())
                .toList();
        Batches.write(client, tables.segmentMembers(), requests);
    }

    @Override
    public boolean addSuppression(Suppression suppression) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("email", AttributeValue.fromS(suppression.email().key()));
        item.put("address", AttributeValue.fromS(suppression.email().value()));
        item.put("reason", AttributeValue.fromS(suppression.reason().wireName()));
        item.put("since", AttributeValue.fromS(suppression.since().toString()));
        if (suppression.source() != null) {
            item.put("source", AttributeValue.fromS(suppression.source()));
        }
        return conditionalPut(b -> b.tableName(tables.suppressions())
                .item(item)
                .conditionExpression("attribute_not_exists(#email)")
                .expressionAttributeNames(Map.of("#email", "email")));
    }

    /** Lifts the suppression under the identity and under the legacy key, each only if it has the reason. */
    @Override
    public boolean removeSuppression(EmailAddress email, SubscriberStatus expectedReason) {
        boolean removed = false;
        for (String key : keysOf(email)) {
            try {
                client.deleteItem(b -> b.tableName(tables.suppressions())
                        .key(Map.of("email", AttributeValue.fromS(key)))
                        .conditionExpression("#reason = :reason")
                        .expressionAttributeNames(Map.of("#reason", "reason"))
                        .expressionAttributeValues(Map.of(":reason", AttributeValue.fromS(expectedReason.wireName()))));
                removed = true;
            } catch (ConditionalCheckFailedException e) {
                // absent, or a stronger reason that must stay
            }
        }
        return removed;
    }

    @Override
    public List<EmailAddress> segmentMembersAfter(String segment, EmailAddress after, int limit) {
        Map<String, AttributeValue> startKey = after == null ? null
                : Map.of("segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(after.key()));
        QueryResponse page = client.query(b -> b.tableName(tables.segmentMembers())
                .keyConditionExpression("#segment = :segment")
                .expressionAttributeNames(Map.of("#segment", "segment"))
                .expressionAttributeValues(Map.of(":segment", AttributeValue.fromS(segment)))
                .exclusiveStartKey(startKey)
                .limit(limit));
        return page.items().stream().map(i -> new EmailAddress(i.get("email").s())).toList();
    }

    @Override
    public SegmentPage segmentPage(String segment, String cursor, int limit) {
        Map<String, AttributeValue> startKey = cursor == null || cursor.isEmpty() ? null
                : Map.of("segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(decodeCursor(cursor)));
        QueryResponse page = client.query(b -> b.tableName(tables.segmentMembers())
                .keyConditionExpression("#segment = :segment")
                .expressionAttributeNames(Map.of("#segment", "segment"))
                .expressionAttributeValues(Map.of(":segment", AttributeValue.fromS(segment)))
                .exclusiveStartKey(startKey)
                .limit(limit));
        List<String> entries = page.items().stream().map(i -> i.get("email").s()).toList();
        List<EmailAddress> members = entries.stream().map(EmailAddress::new).toList();
        Map<EmailAddress, Subscriber> subscribers = findAll(members);
        // An earlier version's entry (not lower-case) counts only while the identity has no entry of its own, so
        // that nobody is listed twice or missed before the migration has moved the index.
        List<Map<String, AttributeValue>> identityKeys = entries.stream().filter(e -> !e.equals(e.toLowerCase(Locale.ROOT)))
                .map(e -> Map.of("segment", AttributeValue.fromS(segment), "email", AttributeValue.fromS(e.toLowerCase(Locale.ROOT))))
                .distinct().toList();
        Set<String> identityEntries = new HashSet<>(byEmail(Batches.get(client, tables.segmentMembers(), identityKeys)).keySet());
        List<Subscriber> inSegment = new ArrayList<>();
        Set<EmailAddress> listed = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            EmailAddress email = members.get(i);
            Subscriber subscriber = subscribers.get(email);
            boolean legacyEntry = !entries.get(i).equals(email.key());
            // The membership index may hold an entry the profile no longer claims (see SubscriberService).
            if (subscriber != null && subscriber.segments().contains(segment)
                    && !(legacyEntry && identityEntries.contains(email.key())) && listed.add(email)) {
                inSegment.add(subscriber);
            }
        }
        String next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                ? encodeCursor(page.lastEvaluatedKey().get("email").s())
                : null;
        return new SegmentPage(inSegment, next);
    }

    private static String encodeCursor(String lastEmail) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((CURSOR_PREFIX + lastEmail).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (decoded.startsWith(CURSOR_PREFIX) && decoded.length() > CURSOR_PREFIX.length()) {
                return decoded.substring(CURSOR_PREFIX.length());
            }
        } catch (IllegalArgumentException e) {
            // fall through to the error below
        }
        throw new InvalidInputException("cursor", "is not a cursor returned by this API");
    }

    private static Map<String, AttributeValue> membershipKey(SegmentMembership membership) {
        return Map.of("segment", AttributeValue.fromS(membership.segment()),
                "email", AttributeValue.fromS(membership.email().key()));
    }

    private static Map<String, Map<String, AttributeValue>> byEmail(List<Map<String, AttributeValue>> items) {
        Map<String, Map<String, AttributeValue>> result = new HashMap<>();
        for (Map<String, AttributeValue> item : items) {
            result.put(item.get("email").s(), item);
        }
        return result;
    }

    static Map<String, AttributeValue> toItem(Subscriber s) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("email", AttributeValue.fromS(s.email().key()));
        item.put("address", AttributeValue.fromS(s.email().value()));
        if (!s.email().key().equals(s.email().legacyKey())) {
            // This item stands for the person's profile under the legacy key, if an earlier version wrote one:
            // written from it (every read looks there), or created when there was none.
            item.put(MERGED_FROM, AttributeValue.fromSs(List.of(s.email().legacyKey())));
        }
        putIfPresent(item, "firstName", s.firstName());
        putIfPresent(item, "lastName", s.lastName());
        putIfPresent(item, "timeZone", s.timeZone());
        putIfPresent(item, "source", s.source());
        if (!s.attributes().isEmpty()) {
            Map<String, AttributeValue> attributes = new HashMap<>();
            s.attributes().forEach((k, v) -> attributes.put(k, toAttribute(v)));
            item.put("attributes", AttributeValue.fromM(attributes));
        }
        if (!s.segments().isEmpty()) {
            item.put("segments", AttributeValue.fromSs(List.copyOf(s.segments())));
        }
        item.put("engagementScore", AttributeValue.fromN(BigDecimal.valueOf(s.engagementScore()).toPlainString()));
        item.put("createdAt", AttributeValue.fromS(s.createdAt().toString()));
        item.put("updatedAt", AttributeValue.fromS(s.updatedAt().toString()));
        OptInItems.write(s.optIns(), item);
        return item;
    }

    static Subscriber toSubscriber(EmailAddress email, Map<String, AttributeValue> item, Suppression suppression) {
        if (item == null) {
            // Suppressed before any profile existed (e.g. a bounce for an unknown address): status only.
            return new Subscriber(email, null, null, Map.of(), null, 0.0, null, null, null, null, suppression);
        }
        Map<String, Object> attributes = new TreeMap<>();
        if (item.containsKey("attributes")) {
            item.get("attributes").m().forEach((k, v) -> attributes.put(k, fromAttribute(v)));
        }
        return new Subscriber(email,
                string(item, "firstName"),
                string(item, "lastName"),
                attributes,
                item.containsKey("segments") ? new TreeSet<>(item.get("segments").ss()) : null,
                item.containsKey("engagementScore") ? Double.parseDouble(item.get("engagementScore").n()) : 0.0,
                string(item, "timeZone"),
                string(item, "source"),
                Instant.parse(item.get("createdAt").s()),
                Instant.parse(item.get("updatedAt").s()),
                suppression,
                OptInItems.read(item));
    }

    static Suppression toSuppression(EmailAddress email, Map<String, AttributeValue> item) {
        return new Suppression(email, SubscriberStatus.fromWire(item.get("reason").s()),
                Instant.parse(item.get("since").s()), string(item, "source"));
    }

    private static AttributeValue toAttribute(Object value) {
        if (value instanceof Boolean b) {
            return AttributeValue.fromBool(b);
        }
        if (value instanceof BigDecimal d) {
            return AttributeValue.fromN(d.toPlainString());
        }
        return AttributeValue.fromS(value.toString());
    }

    private static Object fromAttribute(AttributeValue value) {
        if (value.bool() != null) {
            return value.bool();
        }
        if (value.n() != null) {
            return new BigDecimal(value.n());
        }
        return value.s();
    }

    private static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
